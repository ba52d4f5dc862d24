// `npm run bench -- capacity-model`: the capacity model (packages/capacity) against the load runs
// it was built from (issue 14, item 2). For every rate the recs and fraud-sync benches measured on
// this machine, the model predicts p50/p95/p99 and the degraded or rules-only share on the stack
// those benches ran, and sets them against what the same committed results files measured: ratios
// predicted / measured, the rate as a fraction of measured capacity, and the goal (every p95 and p99
// ratio within 0.8-1.25 up to 80 % of measured capacity) as the SLO.
//
// It runs no load and starts nothing: it only reads bench/results/*.json, so it is cheap and can
// be re-run whenever one of those files is re-committed. The logic lives in packages/capacity
// (src/validation/); this file reads, writes and prints.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Results, renderComparison, validateCapacityModel } from '@mlsys/capacity';
import { buildResult, type RunResult, writeResult } from '@mlsys/results';
import { repoRoot, resultsDir } from '../paths.js';

export async function run(args: string[]): Promise<RunResult> {
  parseArgs({ args, options: {} });
  const startedAt = new Date();
  const validation = validateCapacityModel(Results.load(repoRoot));
  console.log(renderComparison(validation.designs));
  const result = buildResult({
    name: 'capacity-model',
    startedAt,
    params: validation.params,
    metrics: validation.metrics,
    slo: validation.slo,
    notes: validation.notes,
  });
  writeResult(join(resultsDir, 'capacity-model.json'), result);
  return result;
}
