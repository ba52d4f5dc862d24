// What the recs model takes from recs.json, whatever it is asked: the
// bench's rows, each service's CPU (fixed cores + marginal ms, fitted over
// the rows below saturation), the stages as the gateway saw them at the
// lightest load, and the spread of each pool's service time. The sheet
// sizes a fleet with them; the validation (`npm run bench --
// capacity-model`) puts them back on the stack the bench ran.
import { type CpuCost, fitCpu } from '../cpu-fit.js';
import { lognormalCv2, lognormalFromMeanP95 } from '../distributions.js';
import { type Figure, model } from '../figure.js';
import { DEFAULTS } from '../givens.js';
import { RESULT_FILES, type Results } from '../results.js';
import { type BenchRow, cpuPoint, lowestBy, type RowFilter, rowsBelowSaturation } from './common.js';
import { STAGES } from './recs-latency.js';

export const RECS_SERVICES = ['rec-api', 'candidate-gen', 'ranker', 'rules'] as const;
export type RecsService = (typeof RECS_SERVICES)[number];

/** recs.json's rate steps; a degraded answer is the fallback. */
export const RECS_ROWS: RowFilter = {
  file: RESULT_FILES.recs,
  arrayPath: 'metrics.rates',
  selector: (row) => `rate=${String(row.rate)}`,
  rateOf: (row) => row.rate,
  fallbackOf: (row) => (typeof row.degraded_share === 'number' ? row.degraded_share : undefined),
};

export interface RecsInputs {
  /** The rows the CPU fit and the calibration use (at most the given share degraded). */
  rowsBelowSaturation: BenchRow[];
  cpu: Record<RecsService, CpuCost>;
  /** The lightest-loaded row below saturation (lowest p50): the stages' unloaded times. */
  calibration: BenchRow | undefined;
  /** Stage means of the four stages and the gateway's `total`, at the calibration row. */
  stageMean: Record<string, Figure>;
  /** Stage p95s of the four stages and `total`, at the calibration row. */
  stageP95: Record<string, Figure>;
  /** cs² of each pool's service time: rec-api's from the gateway total, the others' from their stage. */
  serviceCv2: Record<RecsService, Figure>;
}

export function recsInputs(results: Results): RecsInputs {
  const file = RESULT_FILES.recs;
  const rows = rowsBelowSaturation(results, RECS_ROWS, DEFAULTS.maxFallbackShare);
  const label = `recs.json rates ${rows.map((r) => r.rate).join('/')} req/s`;
  const cpu = Object.fromEntries(
    RECS_SERVICES.map((service) => [
      service,
      fitCpu([
        {
          label,
          points: rows.map((row) =>
            cpuPoint(results, file, row, 'achieved_rps', `cpu_ms_per_request.${service}`, 'ms'),
          ),
        },
      ]),
    ]),
  ) as Record<RecsService, CpuCost>;

  const calibration = lowestBy(results, file, rows, 'p50_ms');
  const stagePath = calibration?.path ?? 'metrics.rates[rate=?]';
  const stageFig = (kind: 'mean' | 'p95', stage: string) =>
    results.figure(file, `${stagePath}.stages_${kind}_ms.${stage}`, 'ms');
  const stageMean = Object.fromEntries([...STAGES, 'total'].map((s) => [s, stageFig('mean', s)]));
  const stageP95 = Object.fromEntries([...STAGES, 'total'].map((s) => [s, stageFig('p95', s)]));
  const cv2Of = (stage: string) =>
    model('', `cs² of lognormal(${stage} mean, p95)`, [stageMean[stage]!, stageP95[stage]!], (m, q) =>
      lognormalCv2(lognormalFromMeanP95(m, q)),
    );
  return {
    rowsBelowSaturation: rows,
    cpu,
    calibration,
    stageMean,
    stageP95,
    serviceCv2: {
      'rec-api': cv2Of('total'),
      'candidate-gen': cv2Of('candidates'),
      ranker: cv2Of('ranker'),
      rules: cv2Of('rules'),
    },
  };
}
