// Small results files for the validation tests: a few rate steps of the
// recs and fraud-sync benches, with CPU per request built from a known
// fixed + marginal cost so the fit has a rising line to find.
import { RESULT_FILES, Results } from '../src/results.js';

/** CPU per request in `unit`s at `rate` for a process of `marginalMs` per request and `fixedCores` at rest. */
const perRequest = (rate: number, marginalMs: number, fixedCores: number, unit: 'ms' | 'µs') =>
  (marginalMs + (fixedCores * 1000) / rate) * (unit === 'ms' ? 1 : 1000);

const RECS_COST = {
  'rec-api': [2, 0.1],
  'candidate-gen': [2, 0.03],
  ranker: [4, 0.04],
  rules: [1, 0.03],
} as const;

function recsRow(rate: number, p50: number, p95: number, p99: number, degraded: number) {
  const cpu = Object.fromEntries(
    Object.entries(RECS_COST).map(([s, [m, f]]) => [s, perRequest(rate, m, f, 'ms')]),
  );
  const all = Object.values(cpu).reduce((a, b) => a + b, 0);
  return {
    rate,
    achieved_rps: rate,
    p50_ms: p50,
    p95_ms: p95,
    p99_ms: p99,
    degraded_share: degraded,
    stages_mean_ms: { features: 1, candidates: 3.5, ranker: 5.5, rules: 2, total: 12.5 },
    stages_p95_ms: { features: 1.5, candidates: 5, ranker: 7.5, rules: 3, total: 16.5 },
    cpu_ms_per_request: { ...cpu, all },
  };
}

const recsFixture = () => ({
  name: 'recs',
  startedAt: '2026-01-01T00:00:00.000Z',
  metrics: {
    rates: [
      recsRow(25, 14, 19, 26, 0),
      recsRow(50, 13, 18, 25, 0),
      recsRow(100, 14, 27, 45, 0.02),
      recsRow(200, 40, 80, 100, 0.3),
    ],
  },
});

const FRAUD_COST = {
  'txn-api': [0.7, 0.25],
  'feature-engine': [0.7, 0.3],
  'fraud-scorer': [0.4, 0],
} as const;

function fraudRow(rate: number, p50: number, p95: number, p99: number, fullShare: number) {
  const cpu = Object.fromEntries(
    Object.entries(FRAUD_COST).map(([s, [m, f]]) => [s, perRequest(rate, m, f, 'µs')]),
  );
  const all = Object.values(cpu).reduce((a, b) => a + b, 0);
  return {
    mode: 'sync',
    batch_window_ms: 1,
    rate,
    achieved_rps: rate,
    p50_ms: p50,
    p95_ms: p95,
    p99_ms: p99,
    full_share: fullShare,
    cpu_us_per_decision: { ...cpu, all },
    generator_cpu_us_per_request: 800,
  };
}

const floorRow = (rate: number) => ({
  mode: 'floor',
  batch_window_ms: null,
  rate,
  achieved_rps: rate,
  p50_ms: 2,
  p95_ms: 3,
  p99_ms: 5,
  full_share: null,
  cpu_us_per_decision: { floor: 1000, all: 1000 },
});

export const fraudSyncFixture = () => ({
  name: 'fraud-sync',
  startedAt: '2026-01-02T00:00:00.000Z',
  params: { batch_window_ms: 1, saturated_p99_ms: 1000 },
  metrics: {
    rows: [
      fraudRow(100, 8, 20, 60, 0.99),
      fraudRow(150, 8, 30, 100, 0.97),
      fraudRow(200, 8.5, 35, 120, 0.96),
      fraudRow(300, 15, 130, 350, 0.8),
      floorRow(100),
      floorRow(150),
    ],
    batching_rows: [
      { ...fraudRow(150, 8, 36, 130, 0.95) },
      { ...fraudRow(150, 6, 25, 110, 0.98), batch_window_ms: 0 },
    ],
  },
});

/** Results holding the given files (the fixtures by default); `null` leaves a file out. */
export function fixtureResults(files: { recs?: unknown | null; fraudSync?: unknown | null } = {}): Results {
  const out: Record<string, unknown> = {};
  const recs = files.recs === undefined ? recsFixture() : files.recs;
  const fraudSync = files.fraudSync === undefined ? fraudSyncFixture() : files.fraudSync;
  if (recs !== null) out[RESULT_FILES.recs] = recs;
  if (fraudSync !== null) out[RESULT_FILES.fraudSync] = fraudSync;
  return Results.of(out);
}
