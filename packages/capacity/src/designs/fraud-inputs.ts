// What the fraud model takes from the results files, whatever it is asked:
// fraud-sync's rows, each service's CPU per decision (fixed cores +
// marginal, fitted over the rows the stack kept up with: see `cpuRows`; the
// scorer's from the stream bench when the synchronous rows show no rising
// line), and the decision's end-to-end p50/p99 at the lightest load where
// at most the given share of answers were rules-only. The sheet sizes a fleet with them; the validation (`npm
// run bench -- capacity-model`) puts them back on the stack fraud-sync ran.
//
// A decision's time is a lognormal on that p50 and p99 plus the queueing
// waits at txn-api and at the feature engine that owns the card.
import { type CpuCost, type CpuSeries, fitCpu } from '../cpu-fit.js';
import { lognormalFromP50P99, lognormalQuantile } from '../distributions.js';
import { type Figure, given } from '../figure.js';
import { DEFAULTS } from '../givens.js';
import { type PipelineResult, simulatePipeline } from '../pipeline.js';
import type { Pool } from '../pool.js';
import { RESULT_FILES, type Results } from '../results.js';
import {
  type BenchRow,
  benchRows,
  coresPoint,
  cpuPoint,
  lowestBy,
  type RowFilter,
  rowsBelowSaturation,
} from './common.js';

/** txn-api's wait for the owner's decision before the rules-only answer (services/txn-api/src/domain/decision-budget.ts; a test keeps it equal). */
export const OWNER_DEADLINE_MS = 40;

export const FRAUD_SERVICES = ['txn-api', 'feature-engine', 'fraud-scorer'] as const;
export type FraudService = (typeof FRAUD_SERVICES)[number];

/** fraud-sync.json's synchronous rows; a rules-only answer (1 - full_share) is the fallback. */
export const FRAUD_SYNC_ROWS: RowFilter = {
  file: RESULT_FILES.fraudSync,
  arrayPath: 'metrics.rows',
  selector: (row) => `mode=sync,rate=${String(row.rate)}`,
  rateOf: (row) => row.rate,
  fallbackOf: (row) => (typeof row.full_share === 'number' ? 1 - row.full_share : undefined),
  where: (row) => row.mode === 'sync',
};

/** fraud.json's stream rows; the stream has no fallback, and a row that lost decisions is not a clean one. */
const STREAM_ROWS: RowFilter = {
  file: RESULT_FILES.fraud,
  arrayPath: 'metrics.rows',
  selector: (row) => `mode=pipeline,offered_tps=${String(row.offered_tps)}`,
  rateOf: (row) => row.offered_tps,
  fallbackOf: (row) => (row.lost === 0 ? 0 : undefined),
  where: (row) => row.mode === 'pipeline',
};

export interface FraudInputs {
  /** The synchronous rows the CPU fit and the calibration use. */
  rowsBelowSaturation: BenchRow[];
  cpu: Record<FraudService, CpuCost>;
  /** cs² of every service's time: no per-service spread is measured. */
  serviceCv2: Figure;
  /** The lightest-loaded synchronous row below saturation (lowest p50). */
  calibration: BenchRow | undefined;
  /** The decision's end-to-end p50 and p99 there. */
  p50: Figure;
  p99: Figure;
}

/**
 * The synchronous rows whose CPU per decision is the pipeline's. Unlike a
 * degraded recommendation, a rules-only answer skips no work: the owner or
 * the stream still applies, scores and logs that payment in full, and
 * txn-api adds its fallback on top, so those rows are kept (if anything
 * they overstate the cost). What does make a row's CPU wrong is a stack
 * that fell behind, leaving payments of the run undecided in its window:
 * the bench's own saturation mark (`params.saturated_p99_ms`, where it stops
 * climbing) tells those apart.
 */
function cpuRows(results: Results): BenchRow[] {
  const mark = results.figure(RESULT_FILES.fraudSync, 'params.saturated_p99_ms', 'ms').value;
  if (mark === null) return [];
  return benchRows(results, FRAUD_SYNC_ROWS).filter((row) => {
    const p99 = results.figure(RESULT_FILES.fraudSync, `${row.path}.p99_ms`, 'ms').value;
    return p99 !== null && p99 <= mark;
  });
}

export function fraudInputs(results: Results): FraudInputs {
  const R = RESULT_FILES;
  const syncRows = rowsBelowSaturation(results, FRAUD_SYNC_ROWS, DEFAULTS.maxFallbackShare);
  const keptUp = cpuRows(results);
  const syncSeries = (service: string): CpuSeries => ({
    label: `fraud-sync.json sync rates ${keptUp.map((r) => r.rate).join('/')}/s`,
    points: keptUp.map((row) =>
      cpuPoint(results, R.fraudSync, row, 'achieved_rps', `cpu_us_per_decision.${service}`, 'µs'),
    ),
  });
  const streamRows = rowsBelowSaturation(results, STREAM_ROWS, DEFAULTS.maxFallbackShare);
  const streamSeries = (service: string): CpuSeries => ({
    label: `fraud.json pipeline ${streamRows.map((r) => r.rate).join('/')} tx/s`,
    points: streamRows.map((row) =>
      coresPoint(results, R.fraud, row, 'throughput_tps', `cpu_cores.${service}`),
    ),
  });
  const calibration = lowestBy(results, R.fraudSync, syncRows, 'p50_ms');
  const calPath = calibration?.path ?? 'metrics.rows[mode=sync,rate=?]';
  return {
    rowsBelowSaturation: syncRows,
    cpu: {
      'txn-api': fitCpu([syncSeries('txn-api')]),
      'feature-engine': fitCpu([syncSeries('feature-engine')]),
      // On the synchronous design the scorer only carries the stream hop; at the low rates of
      // fraud-sync its CPU is background, so the stream bench at high rates gives its line.
      'fraud-scorer': fitCpu([syncSeries('fraud-scorer'), streamSeries('fraud-scorer')]),
    },
    serviceCv2: given(1, '', 'service-time spread per service not measured: exponential assumed (cs² = 1)'),
    calibration,
    p50: results.figure(R.fraudSync, `${calPath}.p50_ms`, 'ms'),
    p99: results.figure(R.fraudSync, `${calPath}.p99_ms`, 'ms'),
  };
}

/**
 * Draws of a decision: lognormal(p50, p99) plus the waits at the pools it
 * passes (txn-api, the owning feature engine). Undefined when an input is
 * not measured.
 */
export function decisionLatency(p50: Figure, p99: Figure, waited: Pool[]): PipelineResult | undefined {
  if (p50.value === null || p99.value === null || waited.some((p) => p.wait === undefined)) return undefined;
  const dist = lognormalFromP50P99(p50.value, p99.value);
  return simulatePipeline(
    [
      {
        name: 'decision',
        draw: (u) => lognormalQuantile(dist, u()),
        queues: waited.map((p) => ({ wait: p.wait!, copies: 1 })),
      },
    ],
    DEFAULTS.samples,
    DEFAULTS.seed,
  );
}
