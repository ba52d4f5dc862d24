import { percentile } from '@mlsys/results';
import { exactTopK, type ScoredIds } from '../exact-search.js';
import { recallAtK } from '../metrics.js';
import type { SongIndex } from './song-index.js';

/** One index searched at one ef. */
export interface AnnSetup {
  index: SongIndex;
  ef: number;
}

export interface AnnMeasurement {
  ef: number;
  /** Mean share of the exact top-k the index returned. */
  recall: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/** Exact top-k of each query (row-major `queries`), the ground truth for `measureAnn`. */
export function exactNeighbours(
  vectors: Float32Array,
  dim: number,
  queries: Float32Array,
  k: number,
): ScoredIds[] {
  const out: ScoredIds[] = [];
  for (let q = 0; q < queries.length / dim; q++)
    out.push(exactTopK(vectors, dim, queries.subarray(q * dim, (q + 1) * dim), k));
  return out;
}

/**
 * Recall@k against exact search and the latency of one top-k query, for
 * each setup. Latency is wall time around `search` (what a service pays,
 * including the copies between JavaScript and the addon). Each query runs
 * on every setup back to back, in rotating order, so a burst of load from
 * other processes on a shared machine hits all setups alike instead of
 * skewing one of them.
 */
export function measureAnn(
  setups: readonly AnnSetup[],
  queries: Float32Array,
  exact: readonly ScoredIds[],
  k: number,
): AnnMeasurement[] {
  const dim = setups[0]?.index.dim ?? 1;
  const count = queries.length / dim;
  const truth = exact.map((hits) => new Set(hits.ids));
  const times = setups.map(() => new Float64Array(count));
  const recall = setups.map(() => 0);
  for (let q = 0; q < count; q++) {
    const query = queries.subarray(q * dim, (q + 1) * dim);
    // Rotate which setup goes first: the first search of a query pays its cache misses.
    for (let turn = 0; turn < setups.length; turn++) {
      const s = (q + turn) % setups.length;
      const { index, ef } = setups[s]!;
      index.setEfSearch(Math.max(ef, k));
      const started = performance.now();
      const hits = index.search(query, k);
      times[s]![q] = performance.now() - started;
      recall[s]! += recallAtK(hits.ids, truth[q]!, k);
    }
  }
  return setups.map(({ ef }, s) => {
    const sorted = times[s]!.sort();
    return {
      ef,
      recall: recall[s]! / count,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      meanMs: sorted.reduce((a, b) => a + b, 0) / count,
    };
  });
}
