// `npm run bench -- fraud-offline [--skip-handbook]`: the fraud model's offline quality under the
// Fraud Detection Handbook's protocol, next to the Handbook's published baselines and a rules-only
// baseline, plus the throughput of the feature code (fraud-core) the stream runs.
//
// Quality comes from the training pipeline (packages/training, `fraud --profile P`), which this
// runs (every step is cached) for two datasets:
// - `handbook`: the Handbook's simulator only (its three fraud scenarios), the dataset its table
//   was measured on, so the comparison is like for like;
// - `default`: the same world plus the card-not-present attacks (card testing, account takeover)
//   this project adds; more fraud patterns and more compromised cards per day, so its CP@100 is
//   not comparable with the Handbook's (the oracle line shows each dataset's ceiling).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fraud } from '@mlsys/datagen';
import { FraudFeatureEngine, newFeatureVector } from '@mlsys/fraud-core';
import { buildResult, type RunResult, type SloTarget, writeResult } from '@mlsys/results';
import { resultsDir } from '../paths.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The best published figure for each metric in the Handbook's baseline table
 * (test week 2018-08-08 to 2018-08-14, models trained on 2018-07-25 to 07-31).
 */
const HANDBOOK_BEST = {
  auc_roc: { value: 0.871, model: 'logistic regression (random forest: 0.870)' },
  average_precision: { value: 0.687, model: 'XGBoost' },
  card_precision_at_100: { value: 0.303, model: 'XGBoost' },
} as const;
type Metric = keyof typeof HANDBOOK_BEST;
const METRICS = Object.keys(HANDBOOK_BEST) as Metric[];

interface Evaluation {
  protocol: Record<string, unknown>;
  models: Record<string, Record<Metric, number>>;
  oracleCardPrecisionAt100: number;
}

/** Runs (or reuses) the offline pipeline for a profile and reads its Handbook-protocol report. */
function evaluate(profile: string): Evaluation {
  const cli = join(root, 'packages', 'training', 'src', 'cli.ts');
  const run = spawnSync(
    process.execPath,
    ['--conditions=@mlsys/source', '--import', 'tsx', cli, 'fraud', '--profile', profile],
    { cwd: root, stdio: 'inherit' },
  );
  if (run.status !== 0)
    throw new Error(`the fraud training pipeline failed for profile ${profile} (exit ${run.status})`);
  return JSON.parse(
    readFileSync(join(root, '.cache', 'work', 'fraud', profile, 'evaluation.json'), 'utf8'),
  ) as Evaluation;
}

/**
 * Throughput of FraudFeatureEngine.apply on one core: the simulated stream
 * (payments and chargebacks) is materialised first so that only the feature
 * code is timed. CPU time is reported too: on a shared machine it is the
 * steadier figure.
 */
function measureApply(days: number): Record<string, number> {
  const profile = { ...fraud.FRAUD_PROFILES.default, days };
  const world = fraud.buildWorld(profile);
  const terminals = new Map(world.terminals.map((t) => [t.id, { x: t.x, y: t.y }]));
  const events = [...fraud.simulateFraud(profile)];
  const engine = new FraudFeatureEngine({ terminals });
  const vector = newFeatureVector();
  let payments = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const event of events) {
    if (event.kind === 'transaction') {
      engine.apply(event.transaction, vector);
      payments += 1;
    } else {
      engine.applyChargeback(event.chargeback);
    }
  }
  const seconds = (performance.now() - started) / 1_000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;

  // What a stream task writes per batch: one JSON snapshot per changed entity.
  const changed = engine.takeChanged();
  const serialiseStarted = performance.now();
  let snapshotBytes = 0;
  for (const ref of changed) snapshotBytes += JSON.stringify(engine.snapshot(ref)).length;
  const size = engine.size();
  return {
    apply_payments: payments,
    apply_tx_per_s: Math.round(payments / seconds),
    apply_tx_per_cpu_s: Math.round(payments / cpuSeconds),
    apply_us_per_tx: (seconds * 1e6) / payments,
    entities: size.card + size.terminal + size.device + size.ip,
    snapshot_bytes_per_entity: Math.round(snapshotBytes / changed.length),
    snapshot_serialise_us_per_entity: ((performance.now() - serialiseStarted) * 1_000) / changed.length,
  };
}

/** Flat `<dataset>_<model>_<metric>` figures for the table, and the targets: beat the Handbook's best on each. */
function figures(
  dataset: string,
  evaluation: Evaluation,
): { metrics: Record<string, number>; slo: SloTarget[] } {
  const metrics: Record<string, number> = {};
  for (const [model, values] of Object.entries(evaluation.models)) {
    for (const metric of METRICS) metrics[`${dataset}_${model}_${metric}`] = values[metric];
  }
  metrics[`${dataset}_oracle_card_precision_at_100`] = evaluation.oracleCardPrecisionAt100;
  const slo = METRICS.map((metric) => ({
    metric: `${dataset}_lightgbm_${metric}`,
    op: '>' as const,
    target: HANDBOOK_BEST[metric].value,
  }));
  return { metrics, slo };
}

export async function run(args: string[]): Promise<RunResult> {
  const { values } = parseArgs({
    args,
    options: {
      'skip-handbook': { type: 'boolean', default: false },
      'apply-days': { type: 'string', default: '60' },
    },
  });
  const startedAt = new Date();
  const datasets = values['skip-handbook'] ? ['default'] : ['handbook', 'default'];
  const metrics: Record<string, unknown> = {};
  const slo: SloTarget[] = [];
  const protocols: Record<string, unknown> = {};
  for (const dataset of datasets) {
    const evaluation = evaluate(dataset);
    const part = figures(dataset, evaluation);
    Object.assign(metrics, part.metrics);
    slo.push(...part.slo);
    protocols[dataset] = evaluation.protocol;
  }
  const applyDays = Number(values['apply-days']);
  Object.assign(metrics, measureApply(applyDays));
  slo.push({ metric: 'apply_tx_per_s', op: '>', target: 10_000 });
  metrics.handbook_published_best = HANDBOOK_BEST;
  metrics.protocol = protocols;

  const result = buildResult({
    name: 'fraud-offline',
    startedAt,
    params: { datasets, applyDays, handbookBest: HANDBOOK_BEST },
    metrics,
    slo,
    notes: [
      'Protocol: train 2018-07-25..31, skip 7 days, test 2018-08-08..14, cards known compromised dropped per test day (Handbook get_train_test_set).',
      '`lightgbm` trains on the true labels of the training week, as the Handbook does; `lightgbm_chargeback_labels` only on the chargebacks reported by the start of the test week (what a bank knows).',
      'Targets are the best published figure per metric (AUC: logistic regression 0.871; AP and CP@100: XGBoost 0.687, 0.303).',
      'CP@100 cannot exceed the oracle line: some days have fewer than 100 compromised cards left. `default` has more compromised cards per day (card-not-present attacks), so its CP@100 is not comparable with the Handbook table; `handbook` is.',
      'apply_* times FraudFeatureEngine.apply alone (no parsing, no I/O) over the first `applyDays` days of the default stream, one core, on a shared host.',
    ],
  });
  writeResult(join(resultsDir, 'fraud-offline.json'), result);
  return result;
}
