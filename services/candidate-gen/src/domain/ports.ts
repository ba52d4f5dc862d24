/** Scored song ids, best first (parallel arrays). */
export interface Candidates {
  ids: ArrayLike<number>;
  scores: ArrayLike<number>;
}

/** The nearest-neighbour index over song embeddings (HNSW in production, exact search in tests). */
export interface CandidateIndex {
  /** Dimension of the vectors it holds; a query of another length is a caller error. */
  readonly dim: number;
  /** Songs in the index. */
  readonly size: number;
  /** Top-k songs by inner product with `vector`, never one of `exclude`. */
  search(vector: ArrayLike<number>, k: number, exclude: ReadonlySet<number>): Candidates;
}
