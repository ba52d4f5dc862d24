import { percentile } from '@mlsys/results';
import { type ScoredIds, exactTopK } from '../exact-search.js';
import { recallAtK } from '../metrics.js';
import type { SongIndex } from './song-index.js';

export interface EfMeasurement {
  ef: number;
  /** Mean share of the exact top-k the index returned. */
  recall: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/** Exact top-k of each query (row-major `queries`), the ground truth for `measureEf`. */
export function exactNeighbours(vectors: Float32Array, dim: number, queries: Float32Array, k: number): ScoredIds[] {
  const out: ScoredIds[] = [];
  for (let q = 0; q < queries.length / dim; q++) out.push(exactTopK(vectors, dim, queries.subarray(q * dim, (q + 1) * dim), k));
  return out;
}

/**
 * Recall@k against exact search and the latency of one top-k query, for each
 * ef. Latency is wall time around `search` (what a service pays, including
 * the JS <-> addon copies), one query at a time.
 */
export function measureEf(
  index: SongIndex,
  queries: Float32Array,
  exact: readonly ScoredIds[],
  k: number,
  efs: readonly number[],
): EfMeasurement[] {
  const dim = index.dim;
  const count = queries.length / dim;
  const truth = exact.map((hits) => new Set(hits.ids));
  return efs.map((ef) => {
    index.setEfSearch(Math.max(ef, k));
    const times = new Float64Array(count);
    let recall = 0;
    for (let q = 0; q < count; q++) {
      const query = queries.subarray(q * dim, (q + 1) * dim);
      const started = performance.now();
      const hits = index.search(query, k);
      times[q] = performance.now() - started;
      recall += recallAtK(hits.ids, truth[q]!, k);
    }
    times.sort();
    return {
      ef,
      recall: recall / count,
      p50Ms: percentile(times, 50),
      p99Ms: percentile(times, 99),
      meanMs: times.reduce((a, b) => a + b, 0) / count,
    };
  });
}
