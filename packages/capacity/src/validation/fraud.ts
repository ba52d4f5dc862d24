// The fraud model put back on the stack `npm run bench -- fraud-sync` ran:
// one txn-api and one feature engine (which owns every partition), Poisson
// arrivals at each synchronous row's achieved rate, the same inputs the
// sheet uses (CPU per decision fitted over the rows below saturation, the
// decision's p50/p99 at the lightest load, cs² = 1), and its p50/p95/p99
// and rules-only share (past txn-api's owner deadline) set against what
// that row measured. The floor rows are another server (no features, no
// model) and are not compared.
//
// fraud-sync measures from the load generator, as its p50/p99 inputs do,
// so no hop needs calibrating here.

import { benchRows } from '../designs/common.js';
import {
  decisionLatency,
  FRAUD_SYNC_ROWS,
  type FraudService,
  fraudInputs,
  OWNER_DEADLINE_MS,
} from '../designs/fraud-inputs.js';
import { given } from '../figure.js';
import { DEFAULTS } from '../givens.js';
import { sizePool } from '../pool.js';
import { RESULT_FILES, type Results } from '../results.js';
import { compareRow, measuredCapacity, type RowInput, ratio } from './compare.js';
import {
  type DesignCheck,
  figureJson,
  maxUtilisation,
  measuredAt,
  measuredCores,
  notCompared,
  type RepeatRun,
} from './design-check.js';

const FILE = RESULT_FILES.fraudSync;
const WAITED: FraudService[] = ['txn-api', 'feature-engine'];

export function checkFraudSync(results: Results): DesignCheck {
  const rows = benchRows(results, FRAUD_SYNC_ROWS);
  if (rows.length === 0)
    return notCompared(
      'fraud-sync',
      FILE,
      `${FILE} has no synchronous rows with a full_share (npm run bench -- fraud-sync)`,
    );
  const inputs = fraudInputs(results);
  const capacity = measuredCapacity(rows, DEFAULTS.maxFallbackShare);
  const capacityRow = rows.find((r) => r.rate === capacity);
  const one = given(1, 'instances', 'one process per service, as the fraud-sync bench ran the stack');

  const compared = rows.flatMap((row) => {
    const measured = measuredAt(results, FILE, row.path, row.fallbackShare);
    if (!measured) return [];
    const arrivals = results.figure(FILE, `${row.path}.achieved_rps`, 'req/s');
    const pools = WAITED.map((service) =>
      sizePool({
        service,
        arrivals,
        cpu: inputs.cpu[service],
        serviceCv2: inputs.serviceCv2,
        fleet: { instances: one },
        // A payment can only be decided by the owner of its card's partition.
        ...(service === 'feature-engine' ? { routing: 'owned' as const } : {}),
      }),
    );
    const sim = decisionLatency(inputs.p50, inputs.p99, pools);
    const input: RowInput = {
      rate: row.rate,
      measuredFrom: `${FILE}#${row.path}`,
      calibration: row.path === inputs.calibration?.path,
      predicted: sim
        ? {
            p50_ms: sim.total.p50,
            p95_ms: sim.total.p95,
            p99_ms: sim.total.p99,
            share: sim.totalShareAbove(OWNER_DEADLINE_MS),
          }
        : null,
      measured,
      diagnostics: {
        arrivals_per_s: arrivals.value,
        max_modelled_utilisation: maxUtilisation(pools),
        services_cores_measured: measuredCores(results, FILE, row.path, 'cpu_us_per_decision.all', 1e6),
        generator_cores_measured: measuredCores(results, FILE, row.path, 'generator_cpu_us_per_request', 1e6),
      },
    };
    return [compareRow(input, capacity)];
  });

  return {
    design: 'fraud-sync',
    file: FILE,
    started_at: results.raw(FILE, 'startedAt'),
    status: 'compared',
    share_meaning: `rules-only answers (the owner missed txn-api's ${OWNER_DEADLINE_MS} ms deadline): 1 - full_share`,
    capacity: {
      rate: capacity,
      ref: capacityRow ? `${FILE}#${capacityRow.path}` : null,
      rule: `the highest synchronous rate with at most ${DEFAULTS.maxFallbackShare * 100} % rules-only answers`,
    },
    rows: compared,
    model: {
      path: 'POST /v1/transactions?wait=true: lognormal(p50, p99 at the calibration row) + M/G/1 wait at txn-api + M/G/1 wait at the owning feature engine; rules-only = share past the owner deadline',
      owner_deadline_ms: OWNER_DEADLINE_MS,
      calibration_row: inputs.calibration ? `${FILE}#${inputs.calibration.path}` : null,
      fleet: figureJson(one),
      services: Object.fromEntries(
        WAITED.map((s) => [
          s,
          {
            marginal_ms: figureJson(inputs.cpu[s].marginalMs),
            fixed_cores: figureJson(inputs.cpu[s].fixedCores),
            service_cv2: figureJson(inputs.serviceCv2),
          },
        ]),
      ),
      calibrated: 'none: the p50/p99 inputs are measured from the generator, as the compared figures are',
    },
    repeat_runs: repeatRuns(results, rows),
    notes: [],
  };
}

/**
 * fraud-sync's batching comparison re-runs one rate on a fresh stack; the
 * run with the main rows' batch window is the same configuration measured
 * twice, so its ratio to the main row is how far two measurements of one
 * thing land apart on this host.
 */
function repeatRuns(results: Results, rows: Array<{ rate: number; path: string }>): RepeatRun[] {
  const window = results.raw(FILE, 'params.batch_window_ms');
  return results
    .rows(FILE, 'metrics.batching_rows')
    .filter((r) => r.mode === 'sync' && r.batch_window_ms === window)
    .flatMap((r) => {
      const main = rows.find((m) => m.rate === r.rate);
      if (!main) return [];
      const path = `metrics.batching_rows[mode=sync,batch_window_ms=${String(window)},rate=${String(r.rate)}]`;
      const fig = (p: string, field: string) => results.figure(FILE, `${p}.${field}`, 'ms').value;
      return [
        {
          rate: main.rate,
          first: `${FILE}#${main.path}`,
          second: `${FILE}#${path}`,
          ratio: {
            p95: ratio(fig(path, 'p95_ms'), fig(main.path, 'p95_ms') ?? 0),
            p99: ratio(fig(path, 'p99_ms'), fig(main.path, 'p99_ms') ?? 0),
          },
        },
      ];
    });
}
