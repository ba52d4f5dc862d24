/** Scored song ids, best first (parallel arrays, packed as they go on the wire). */
export interface Candidates {
  ids: Int32Array;
  scores: Float32Array;
  /** A sharded index's shards' own search times, in shard order (absent for one index). */
  shardMs?: number[];
}

/** The nearest-neighbour index over song embeddings (HNSW in production, exact search in tests). */
export interface CandidateIndex {
  /** Dimension of the vectors it holds; a query of another length is a caller error. */
  readonly dim: number;
  /** Songs in the index. */
  readonly size: number;
  /**
   * Top-k songs by inner product with `vector`, never one of `exclude`. One
   * index answers in the caller's thread; shards in other threads or
   * processes answer asynchronously.
   */
  search(
    vector: ArrayLike<number>,
    k: number,
    exclude: ReadonlySet<number>,
  ): Candidates | Promise<Candidates>;
}
