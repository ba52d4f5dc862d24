import { SongIndex } from '@mlsys/recs-core/ann';
import { RecsArtifactError, type RecsArtifacts } from '@mlsys/recs-core/artifacts';
import type { CandidateIndex, Candidates } from '../domain/ports.js';

/**
 * The offline-built HNSW index, loaded from the artifact set at the ef the
 * offline sweep chose. hnswlib searches with max(ef, k), so a larger k
 * widens the beam for that query without touching the index-wide ef.
 */
export class HnswCandidateIndex implements CandidateIndex {
  private constructor(private readonly index: SongIndex) {}

  /** Throws RecsArtifactError naming the file when the index cannot be read or does not match the manifest. */
  static load(artifacts: RecsArtifacts): HnswCandidateIndex {
    // The index's own dimension (taste + popularity, see recs-core candidate-space.ts), not the embeddings'.
    const { hnsw, counts } = artifacts.manifest;
    const path = artifacts.path('hnsw');
    let index: SongIndex;
    try {
      index = SongIndex.load(path, hnsw.dim, hnsw.efSearch);
    } catch (error) {
      throw new RecsArtifactError(
        artifacts.dir,
        `${path} is not a readable ${hnsw.dim}-d hnswlib index (${(error as Error).message})`,
      );
    }
    if (index.count !== counts.songs) {
      throw new RecsArtifactError(
        artifacts.dir,
        `the index holds ${index.count} songs, the manifest ${counts.songs}`,
      );
    }
    return new HnswCandidateIndex(index);
  }

  get dim(): number {
    return this.index.dim;
  }

  get size(): number {
    return this.index.count;
  }

  search(vector: ArrayLike<number>, k: number, exclude: ReadonlySet<number>): Candidates {
    return this.index.search(vector, k, exclude);
  }
}
