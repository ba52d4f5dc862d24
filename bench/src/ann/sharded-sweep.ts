/**
 * Recall@k and latency of sharded setups, measured like `measureAnn` does
 * for one index: every query runs on every setup back to back, in rotating
 * order, so load from other processes hits all setups alike. Latency is the
 * caller's wall time around the whole fan-out and merge; the shards' own
 * search times are kept apart (the slowest shard of each query) to show
 * what a shard costs and what the trip to it adds.
 */
import { recallAtK, type ScoredIds } from '@mlsys/recs-core';
import type { ShardedSongIndex } from '@mlsys/recs-core/ann';
import { percentile } from '@mlsys/results';

const WARM_UP_QUERIES = 20;

export interface ShardedSetup {
  index: ShardedSongIndex;
  /** The whole-index ef this setup stands for; each shard searches at `ef`, asking for `shardK`. */
  efTotal: number;
  shardK: number;
  ef: number;
  fetch: 'bound' | 'all';
}

export interface ShardedMeasurement {
  recall: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** p99 of the slowest shard's own search time per query. */
  shardP99Ms: number;
}

export async function measureSharded(
  setups: readonly ShardedSetup[],
  queries: Float32Array,
  exact: readonly ScoredIds[],
  k: number,
  dim: number,
  onQuery?: (done: number, total: number) => void,
): Promise<ShardedMeasurement[]> {
  const count = queries.length / dim;
  // Untimed first searches: a new thread or process faults its graph's pages in and compiles its
  // message handling on them, which a serving shard has done long before its first user.
  for (let q = 0; q < Math.min(count, WARM_UP_QUERIES); q++)
    for (const { index, shardK, ef } of setups)
      await index.search(queries.subarray(q * dim, (q + 1) * dim), k, undefined, { shardK, ef });
  const truth = exact.map((hits) => new Set(hits.ids));
  const times = setups.map(() => new Float64Array(count));
  const slowestShard = setups.map(() => new Float64Array(count));
  const recall = setups.map(() => 0);
  for (let q = 0; q < count; q++) {
    const query = queries.subarray(q * dim, (q + 1) * dim);
    for (let turn = 0; turn < setups.length; turn++) {
      const s = (q + turn) % setups.length;
      const { index, shardK, ef } = setups[s]!;
      const started = performance.now();
      const hits = await index.search(query, k, undefined, { shardK, ef });
      times[s]![q] = performance.now() - started;
      slowestShard[s]![q] = Math.max(...hits.shardMs);
      recall[s]! += recallAtK(hits.ids, truth[q]!, k);
    }
    onQuery?.(q + 1, count);
  }
  return setups.map((_, s) => {
    const sorted = times[s]!.sort();
    return {
      recall: recall[s]! / count,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      meanMs: sorted.reduce((a, b) => a + b, 0) / count,
      shardP99Ms: percentile(slowestShard[s]!.sort(), 99),
    };
  });
}
