// Where the time goes inside the pipeline, as each service's own Prometheus metrics say.
import type { Stage } from '../stack/services.js';
import { round } from './round.js';

/** Per service with metrics (not the pass-through hops): its batches, records per batch and mean ms per step. */
export async function stageBreakdown(
  stages: readonly Stage[],
): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const stage of stages) {
    if (!stage.metricsUrl) continue;
    const text = await fetch(stage.metricsUrl).then((r) => r.text());
    out[stage.name] = breakdownOf(stage.name, text);
  }
  return out;
}

/** One service's breakdown from its metrics text; a metric it does not have counts as 0. */
export function breakdownOf(service: string, metricsText: string): Record<string, number> {
  const sample = (name: string) => {
    let total = 0;
    for (const line of metricsText.split('\n'))
      if (line.startsWith(name)) total += Number(line.split(' ').at(-1));
    return total;
  };
  const isFeatureEngine = service === 'feature-engine';
  const prefix = isFeatureEngine ? 'feature_engine' : 'fraud_scorer';
  const batches = sample(`${prefix}_batch_commit_seconds_count`);
  const records = isFeatureEngine
    ? sample('feature_engine_transactions_total')
    : sample('fraud_scorer_decisions_total');
  const meanMs = (sumMetric: string, digits: number, count = batches) =>
    round((1000 * sample(sumMetric)) / Math.max(1, count), digits);
  const breakdown: Record<string, number> = {
    batches,
    records_per_batch: round(records / Math.max(1, batches), 1),
    commit_ms_mean: meanMs(`${prefix}_batch_commit_seconds_sum`, 2),
  };
  if (isFeatureEngine) {
    breakdown.process_ms_mean = meanMs('feature_engine_batch_process_seconds_sum', 2);
    breakdown.checkpoints = sample('feature_engine_checkpoint_seconds_count');
    breakdown.checkpoint_ms_mean = meanMs('feature_engine_checkpoint_seconds_sum', 1, breakdown.checkpoints);
    breakdown.alignment_timeouts = sample('feature_engine_alignment_timeouts_total');
  } else {
    breakdown.model_ms_mean = meanMs('fraud_scorer_model_seconds_sum', 2);
  }
  return breakdown;
}
