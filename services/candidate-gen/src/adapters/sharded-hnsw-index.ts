import { ShardedSongIndex, type ShardHosting, shardSetProblem } from '@mlsys/recs-core/ann';
import type { RecsArtifacts } from '@mlsys/recs-core/artifacts';
import type { CandidateIndex, Candidates } from '../domain/ports.js';

/** The command that deals an artifact set's index into shards (see src/build-shards.ts). */
export const buildShardsCommand = (artifactsDir: string, shards: number) =>
  `pnpm --filter @mlsys/candidate-gen build-shards --artifacts ${artifactsDir} --shards ${shards}`;

/** Why the shard set cannot serve; start-up lets it escape, so the service refuses to start saying so. */
export class ShardSetError extends Error {
  override name = 'ShardSetError';
}

/**
 * The catalogue as S hnswlib graphs dealt from the artifact set's index
 * (`@mlsys/recs-core/ann`, `ShardedSongIndex`): every query goes to all
 * shards, each asked for its share of the top k, and the answers are merged
 * by score. The shards are built offline by `build-shards` and refused when
 * they come from another artifact set.
 */
export class ShardedCandidateIndex implements CandidateIndex {
  private constructor(private readonly index: ShardedSongIndex) {}

  /** Throws ShardSetError naming the problem and the command that builds the shards. */
  static async load(
    artifacts: RecsArtifacts,
    options: { shards: number; dir: string; hosting: ShardHosting; onLost?: (why: string) => void },
  ): Promise<ShardedCandidateIndex> {
    const { hnsw, counts, artifactVersion } = artifacts.manifest;
    const problem = shardSetProblem(options.dir, {
      artifactVersion,
      shards: options.shards,
      dim: hnsw.dim,
      songs: counts.songs,
    });
    const rebuild = `build them with \`${buildShardsCommand(artifacts.dir, options.shards)}\``;
    if (problem) throw new ShardSetError(`the index shards are not usable (${problem}); ${rebuild}`);
    try {
      const index = await ShardedSongIndex.open(options.dir, {
        hosting: options.hosting,
        efSearch: hnsw.efSearch,
        onLost: options.onLost,
      });
      return new ShardedCandidateIndex(index);
    } catch (error) {
      throw new ShardSetError(
        `the index shards in ${options.dir} cannot be loaded (${(error as Error).message}); ${rebuild}`,
      );
    }
  }

  get dim(): number {
    return this.index.dim;
  }

  get size(): number {
    return this.index.count;
  }

  /** What `/readyz` reports besides the artifact version. */
  params(k: number): Record<string, string> {
    const { shardK, ef } = this.index.plan(k);
    return {
      shards: String(this.index.shards),
      shardHosting: this.index.hosting,
      shardK: String(shardK),
      shardEf: String(ef),
      shardM: String(this.index.manifest.m),
      shardEfConstruction: String(this.index.manifest.efConstruction),
    };
  }

  search(vector: ArrayLike<number>, k: number, exclude: ReadonlySet<number>): Promise<Candidates> {
    return this.index.search(vector, k, exclude);
  }

  close(): Promise<void> {
    return this.index.close();
  }
}
