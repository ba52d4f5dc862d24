// What one rate of the fraud-sync bench comes to, and which rates held: pure, so the verdicts
// can be tested without a stack.
import { SLO } from '@mlsys/load-tests/slo';
import { percentile } from '@mlsys/results';
import type { HostNoise } from '../stack/host-cpu.js';
import { type Phases, phaseMedians } from './phases.js';

/** `sync`: the decision API with its services; `floor`: validate, produce acks=all, answer (no features, no model). */
export type Mode = 'sync' | 'floor';

/** A rate holds when its p99 from the scheduled start is under the design's decision target ... */
export const HOLD_P99_MS = SLO.fraud.decisionP99.target;
/** ... and nearly every request got a full decision (rules + model): a p99 of fast rules-only fallbacks is not the SLO. */
export const HOLD_FULL_SHARE = 0.99;

export interface Sample {
  /** From the request's due time to its answer or failure: a queue anywhere, the generator's included, shows. */
  latencyMs: number;
  /** A 2xx answer came (and matched its contract). */
  ok: boolean;
  /** The answer was a `full` decision; null where the endpoint has no modes (the floor), or none came. */
  full: boolean | null;
  /** Why no 2xx answer came (`500 internal_error`, `timeout`), when none did. */
  failure?: string;
  /** How late the generator sent it after its due time. */
  sendLagMs: number;
  /** Its card had paid earlier in the run (its features have history). */
  returning: boolean;
  /** The answer's `Server-Timing` phases (txn-api's, and the owner's as `owner.*`). */
  phases?: Phases;
  /** Where txn-api says the answer came from: `pipeline`, or a fallback with the owner's miss, `rules-only (late)`. */
  source?: string;
}

export interface RateMeasurement {
  mode: Mode;
  /** The feature engine's SYNC_BATCH_WINDOW_MS; null for the floor. */
  batchWindowMs: number | null;
  rate: number;
  samples: readonly Sample[];
  /** From the first due time to the last answer. */
  spanMs: number;
  /** CPU seconds each process spent over the rate. */
  cpuSeconds: Record<string, number>;
  /** CPU seconds this generator spent over the rate (it shares the host with the services). */
  generatorCpuSeconds: number;
  loadAvg1m: number;
  /** The host over the rate: hypervisor steal and work outside the measured processes (null: no /proc). */
  host: HostNoise | null;
}

export interface RateRow {
  mode: Mode;
  batch_window_ms: number | null;
  /** Offered: requests due per second. */
  rate: number;
  requests: number;
  /** 2xx answers per second, from the first due time to the last answer. */
  achieved_rps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  /** p99 of the requests due in the run's first second: a cold start (or restart) shows here, not in `p99_ms`. */
  first_second_p99_ms: number | null;
  max_ms: number;
  p99_fresh_card_ms: number | null;
  p99_returning_card_ms: number | null;
  /** Share of requests answered 2xx. */
  availability: number;
  /** Share of requests answered with a `full` decision (a failed request is not one); null for the floor. */
  full_share: number | null;
  /** The most frequent reasons requests got no 2xx answer, with their counts. */
  failures: Record<string, number>;
  /** 2xx answers by where they came from (`pipeline`, `rules-only (late)`, ...): why a decision was not full. */
  answers_by_source: Record<string, number>;
  /** Share of requests whose card had paid earlier in the run. */
  returning_share: number;
  generator_lag_p99_ms: number;
  /** CPU µs each process spent per request over the rate, and their sum (`all`). */
  cpu_us_per_decision: Record<string, number>;
  generator_cpu_us_per_request: number;
  load_avg_1m: number;
  /** How noisy the host was over the rate: its latencies include steal and others' work, its CPU figures do not. */
  host: HostNoise | null;
  /**
   * Median ms of each phase over the owner-decided requests (`all`) and over the slowest 1 % of
   * them (`slowest_1pct`): where the owner's tail goes. Null for the floor (it has no phases).
   */
  phases_median_ms: {
    all: Record<string, number> | null;
    slowest_1pct: Record<string, number> | null;
  } | null;
}

export function summarizeRate(m: RateMeasurement): RateRow {
  const { samples } = m;
  const requests = samples.length;
  const sorted = (values: number[]) => Float64Array.from(values).sort();
  const p99Of = (subset: readonly Sample[]) =>
    subset.length === 0 ? null : round(percentile(sorted(subset.map((s) => s.latencyMs)), 99));
  const latencies = sorted(samples.map((s) => s.latencyMs));
  const ok = samples.filter((s) => s.ok).length;
  const full = samples.filter((s) => s.ok && s.full === true).length;
  const cpu: Record<string, number> = {};
  let all = 0;
  for (const [process, seconds] of Object.entries(m.cpuSeconds)) {
    const us = (seconds * 1e6) / Math.max(1, requests);
    cpu[process] = Math.round(us);
    all += us;
  }
  cpu.all = Math.round(all);
  return {
    mode: m.mode,
    batch_window_ms: m.batchWindowMs,
    rate: m.rate,
    requests,
    achieved_rps: round(ok / Math.max(1e-3, m.spanMs / 1000)),
    p50_ms: round(percentile(latencies, 50)),
    p95_ms: round(percentile(latencies, 95)),
    p99_ms: round(percentile(latencies, 99)),
    first_second_p99_ms: firstSecondP99(samples, m.rate),
    max_ms: round(latencies.at(-1) ?? Number.NaN),
    p99_fresh_card_ms: p99Of(samples.filter((s) => !s.returning)),
    p99_returning_card_ms: p99Of(samples.filter((s) => s.returning)),
    availability: share(ok, requests),
    full_share: m.mode === 'floor' ? null : share(full, requests),
    failures: topFailures(samples),
    answers_by_source: countBy(samples, (s) => (s.ok ? s.source : undefined)),
    returning_share: share(samples.filter((s) => s.returning).length, requests),
    generator_lag_p99_ms: round(percentile(sorted(samples.map((s) => s.sendLagMs)), 99)),
    cpu_us_per_decision: cpu,
    generator_cpu_us_per_request: Math.round((m.generatorCpuSeconds * 1e6) / Math.max(1, requests)),
    load_avg_1m: round(m.loadAvg1m),
    host: m.host,
    phases_median_ms:
      m.mode === 'floor' ? null : { all: phaseMedians(samples, 0), slowest_1pct: phaseMedians(samples, 99) },
  };
}

/**
 * p99 latency of the requests due in the first second of a run: the first
 * `rate` samples, since the open loop lists them in due order (request i due
 * at i / rate s). Null when there are none.
 */
export function firstSecondP99(samples: readonly Pick<Sample, 'latencyMs'>[], rate: number): number | null {
  const first = samples.slice(0, Math.ceil(rate));
  if (first.length === 0) return null;
  return round(percentile(Float64Array.from(first.map((s) => s.latencyMs)).sort(), 99));
}

/**
 * p99 under the target with nearly every request answered as the mode
 * should: a full decision for `sync`, a 2xx for the floor (which has no
 * fallback to hide behind).
 */
export function holds(row: RateRow): boolean {
  const answered = row.full_share ?? row.availability;
  return row.p99_ms < HOLD_P99_MS && answered >= HOLD_FULL_SHARE;
}

/** The highest rate of `mode` that held; 0 when none did. */
export function maxHoldingRate(rows: readonly RateRow[], mode: Mode): number {
  return rows.filter((r) => r.mode === mode && holds(r)).reduce((max, r) => Math.max(max, r.rate), 0);
}

/** Decision API over floor, each at its highest holding rate; null when the floor held at no rate. */
export function ratioToFloor(syncMaxRate: number, floorMaxRate: number): number | null {
  return floorMaxRate > 0 ? Math.round((syncMaxRate / floorMaxRate) * 1000) / 1000 : null;
}

/** Reasons past the first few are noise in a results file; the counts of the main ones are what matter. */
const SHOWN_FAILURE_REASONS = 5;

function topFailures(samples: readonly Sample[]): Record<string, number> {
  return Object.fromEntries(
    Object.entries(countBy(samples, (s) => s.failure)).slice(0, SHOWN_FAILURE_REASONS),
  );
}

/** How many samples have each label (none: not counted), the most frequent first. */
function countBy(
  samples: readonly Sample[],
  label: (s: Sample) => string | undefined,
): Record<string, number> {
  const counts = new Map<string, number>();
  for (const s of samples) {
    const name = label(s);
    if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}

const share = (count: number, of: number) => (of === 0 ? 0 : Math.round((count / of) * 10_000) / 10_000);
const round = (value: number) => Math.round(value * 100) / 100;
