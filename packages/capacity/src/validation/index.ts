// The capacity model against the load runs it was built from (issue 14,
// item 2; `npm run bench -- capacity-model`): for every rate the recs and
// fraud-sync benches measured on this machine, the model's p50/p95/p99 and
// fallback share on the stack those benches ran, the figures the same
// committed results files measured, their ratios, and the summary the goal
// is judged on. Nothing is run and nothing is fitted per row: the model's
// inputs are the sheet's, read from the same files.
import type { SloTarget } from '@mlsys/results';
import { DEFAULTS } from '../givens.js';
import type { Results } from '../results.js';
import { BAND, JUDGED_UP_TO, type Miss, summarise } from './compare.js';
import { type DesignCheck, notCompared } from './design-check.js';
import { checkFraudSync } from './fraud.js';
import { checkRecs } from './recs.js';

export { BAND, compareRow, JUDGED_UP_TO, measuredCapacity, ratio, summarise, tally } from './compare.js';
export type { DesignCheck } from './design-check.js';
export { renderComparison } from './table.js';

/** The goal's metric, and its target: every judged ratio in band. */
export const GOAL: SloTarget = { metric: 'share_in_band_up_to_80pct_capacity', op: '>=', target: 1 };

export interface Validation {
  /** Each design's comparison (also inside `metrics.designs`), for the console table. */
  designs: DesignCheck[];
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  notes: string[];
  slo: SloTarget[];
}

const FRAUD_HTTP_WHY =
  'no committed results file holds a fraud-http run: `npm run load -- fraud-http` writes to load-tests/reports/, which git ignores; fraud-sync measures the same endpoint (POST /v1/transactions?wait=true)';

const pct = (share: number) => `${Math.round(share * 100)} %`;
const missText = (m: Miss) =>
  `${m.rate}/s ${m.percentile} ${m.ratio === null ? 'not predicted' : m.ratio}${m.calibration_row ? ' (calibration row)' : ''}`;

export function validateCapacityModel(results: Results): Validation {
  const designs: DesignCheck[] = [
    checkRecs(results),
    checkFraudSync(results),
    notCompared('fraud-http', 'none', FRAUD_HTTP_WHY),
  ];
  const compared = designs.filter((d) => d.status === 'compared');
  const summary = summarise(compared);
  const notes: string[] = [];
  for (const d of designs) {
    if (d.status !== 'compared') {
      notes.push(`${d.design}: not compared: ${d.why}`);
      continue;
    }
    const own = summarise([d]);
    const judged = d.rows.filter((r) => r.judged).map((r) => r.rate);
    notes.push(
      d.capacity.rate === null
        ? `${d.design}: no rate had at most ${pct(DEFAULTS.maxFallbackShare)} fallbacks, so none is judged and there is no prediction to compare (the measured figures are in the rows)`
        : own.misses.length === 0
          ? `${d.design}: every p95 and p99 ratio in band at ${judged.join(', ')}/s (up to ${pct(JUDGED_UP_TO)} of the measured capacity, ${d.capacity.rate}/s)`
          : `${d.design}: out of band up to ${pct(JUDGED_UP_TO)} of the measured capacity (${d.capacity.rate}/s): ${own.misses.map(missText).join('; ')}`,
    );
    for (const run of d.repeat_runs ?? [])
      notes.push(
        `${d.design}: the same configuration measured twice at ${run.rate}/s (${run.first.split('#')[1]} and ${run.second.split('#')[1]}) gave p95 ${run.ratio.p95} and p99 ${run.ratio.p99} second / first`,
      );
  }
  notes.push(
    `the calibration rows are in sample: the model's unloaded latency was fitted there (summary without them: metrics.share_in_band_out_of_sample)`,
    'each service is modelled as a process on a core of its own (M/G/1 at the row rate); on this host the services, Redis, the Kafka broker and the load generator share 2 cores, which the model does not see: compare diagnostics.max_modelled_utilisation with diagnostics.services_cores_measured',
    'stages and waits are drawn independently; a slow moment on a shared host slows them together, so the modelled tail is lighter than a measured one',
  );

  const byDesign = (d: DesignCheck) => {
    const t = summarise([d]).all;
    return {
      design: d.design,
      results_file: d.file,
      ...(d.started_at !== undefined ? { results_started_at: d.started_at } : {}),
      status: d.status,
      ...(d.why ? { why: d.why } : {}),
      ...(d.status === 'compared'
        ? {
            share_meaning: d.share_meaning,
            measured_capacity_rate: d.capacity.rate,
            measured_capacity_ref: d.capacity.ref,
            judged_up_to_rate:
              d.capacity.rate === null ? null : Number((d.capacity.rate * JUDGED_UP_TO).toFixed(3)),
            ratios_judged: t.ratios_judged,
            ratios_in_band: t.ratios_in_band,
            share_in_band_up_to_80pct_capacity: t.share_in_band,
            rows: d.rows,
            ...(d.repeat_runs && d.repeat_runs.length > 0 ? { repeat_runs: d.repeat_runs } : {}),
          }
        : {}),
    };
  };

  const worst = summary.worst;
  return {
    designs,
    params: {
      designs: designs.map((d) => d.design),
      band: [BAND.low, BAND.high],
      judged_up_to_capacity_fraction: JUDGED_UP_TO,
      measured_capacity: `per design, the highest measured rate with at most ${DEFAULTS.maxFallbackShare * 100} % fallbacks (degraded or rules-only): the capacity model's own rule for the rows it fits (DEFAULTS.maxFallbackShare)`,
      configuration:
        'the stack as each bench ran it: one process per service, Poisson arrivals at the row achieved rate; percentiles from seeded draws',
      samples: DEFAULTS.samples,
      seed: DEFAULTS.seed,
      models: Object.fromEntries(compared.map((d) => [d.design, d.model])),
    },
    metrics: {
      share_in_band_up_to_80pct_capacity: summary.all.share_in_band,
      ratios_judged: summary.all.ratios_judged,
      ratios_in_band: summary.all.ratios_in_band,
      share_in_band_out_of_sample: summary.outOfSample.share_in_band,
      ratios_judged_out_of_sample: summary.outOfSample.ratios_judged,
      ratios_in_band_out_of_sample: summary.outOfSample.ratios_in_band,
      worst_ratio_up_to_80pct_capacity: worst?.ratio ?? null,
      worst_ratio_at: worst ? `${worst.design} ${worst.rate}/s ${worst.percentile}` : null,
      rows_compared: compared.reduce((n, d) => n + d.rows.length, 0),
      designs: designs.map(byDesign),
    },
    notes,
    slo: [GOAL],
  };
}
