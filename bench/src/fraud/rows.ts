// What one mode at one rate of the fraud stream bench comes to: pure, so it can be tested
// without a stack.
import { percentile } from '@mlsys/results';
import type { Arrivals, Drain } from './decision-reader.js';
import { round } from './round.js';
import type { Mode } from './settings.js';

export interface RateRow {
  mode: Mode;
  offered_tps: number;
  payments: number;
  measured: number;
  throughput_tps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  lost: number;
  /** Undecided when the drain limit came while decisions were still arriving: behind, not lost. */
  backlog_at_end: number;
  duplicated: number;
  /** How late the generator sent payments after their due time: above a few ms it, not the pipeline, limits. */
  generator_lag_p99_ms: number;
  /** CPU of the stage processes during the run, in cores (1 = one core busy all the time). */
  cpu_cores: Record<string, number>;
  load_avg_1m: number;
  /** Per service: batches, mean records per batch, mean ms to process and to commit one batch. */
  stages?: Record<string, Record<string, number>>;
}

export interface RateMeasurement {
  mode: Mode;
  rate: number;
  warmupSeconds: number;
  /** The transaction ids sent, in order. */
  ids: readonly string[];
  /** When the first payment was due (ms since the epoch). */
  t0: number;
  arrivals: Arrivals;
  /** Send lags of a sample of payments, ms. */
  lags: number[];
  cpuCores: Record<string, number>;
  drain: Drain;
  loadAvg1m: number;
}

/**
 * Latency = read time - event time over the payments due after the warm-up;
 * throughput = payments decided / time from the first due payment to the
 * last decision; the undecided are lost when decisions stopped coming, a
 * backlog when the drain limit came first.
 */
export function summarise(m: RateMeasurement): RateRow {
  const { ids, t0, arrivals, lags } = m;
  const warmupEnds = t0 + m.warmupSeconds * 1000;
  const latencies: number[] = [];
  let lastRead = t0;
  for (const id of ids) {
    const seen = arrivals.firstSeen.get(id);
    if (!seen) continue;
    lastRead = Math.max(lastRead, seen.readAt);
    if (seen.eventTime >= warmupEnds) latencies.push(seen.readAt - seen.eventTime);
  }
  latencies.sort((a, b) => a - b);
  lags.sort((a, b) => a - b);
  const decided = ids.filter((id) => arrivals.firstSeen.has(id)).length;
  return {
    mode: m.mode,
    offered_tps: m.rate,
    payments: ids.length,
    measured: latencies.length,
    throughput_tps: Math.round(decided / Math.max(1, (lastRead - t0) / 1000)),
    p50_ms: percentile(latencies, 50),
    p95_ms: percentile(latencies, 95),
    p99_ms: percentile(latencies, 99),
    max_ms: latencies.at(-1) ?? Number.NaN,
    lost: m.drain === 'stalled' ? ids.length - decided : 0,
    backlog_at_end: m.drain === 'deadline' ? ids.length - decided : 0,
    duplicated: arrivals.duplicates,
    generator_lag_p99_ms: percentile(lags, 99),
    cpu_cores: m.cpuCores,
    load_avg_1m: round(m.loadAvg1m, 2),
  };
}
