import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fraud } from '@mlsys/datagen';
import { loadFraudArtifacts } from '@mlsys/fraud-core';
import type { PipelineOptions } from '../shared/pipeline-options.js';
import { PipelineProgress, type Print } from '../shared/progress.js';
import { cachedStep, hashJson, hashSources } from '../shared/step-cache.js';
import { FEATURE_FILES, type FeatureMatrixDescription } from './feature-matrix.js';
import { checkOnnxParity } from './onnx-parity.js';
import { fraudPaths } from './paths.js';
import {
  type EvaluationReport,
  MODEL_FILE,
  publishArtifacts,
  REFERENCE_FILE,
  readJsonFile,
  type TrainingReport,
} from './publish.js';
import { runFraudPython } from './python.js';
import { replayFeatures } from './replay.js';
import { scoreFeatureMatrix } from './rules-baseline.js';
import { fraudTrainingSettings } from './settings.js';

const SOURCES = {
  simulator: ['packages/datagen/src/fraud', 'packages/datagen/src/random.ts'],
  features: [
    'packages/fraud-core/src',
    'packages/training/src/fraud/replay.ts',
    'packages/training/src/fraud/feature-matrix.ts',
  ],
  python: ['packages/training/python/fraud', 'packages/training/python/shared'],
  parity: ['packages/training/src/fraud/onnx-parity.ts'],
  rules: ['packages/training/src/fraud/rules-baseline.ts'],
  publish: ['packages/training/src/fraud/publish.ts', 'packages/fraud-core/src/artifacts.ts'],
};

/**
 * The fraud design's offline pipeline, `training fraud --profile P`:
 * simulate -> replay through fraud-core -> train (LightGBM, calibration,
 * ONNX) -> ONNX parity in Node -> Handbook-protocol evaluation -> publish
 * the artifact folder. Every step is keyed by a hash of its parameters, its
 * inputs' keys and its source files, and skipped when nothing changed.
 */
export async function run({ root, profile, force }: PipelineOptions): Promise<void> {
  await runFraudPipeline({ root, cacheDir: join(root, '.cache'), profile, force });
}

export interface FraudPipelineOptions extends PipelineOptions {
  /** Where data, work files and artifacts go; the repository's `.cache` except in tests. */
  cacheDir: string;
  print?: Print;
}

/** The pipeline with its output folder and printer chosen by the caller; returns the artifact folder. */
export async function runFraudPipeline({
  root,
  cacheDir,
  profile,
  force,
  print,
}: FraudPipelineOptions): Promise<string> {
  const simulation = fraud.fraudProfile(profile);
  const settings = fraudTrainingSettings(profile);
  const paths = fraudPaths(cacheDir, profile);
  for (const dir of Object.values(paths)) mkdirSync(dir, { recursive: true });
  const progress = new PipelineProgress(`fraud/${profile}`, print);
  const sources = (key: keyof typeof SOURCES) => hashSources(root, SOURCES[key]);
  const skip = (step: string) => () => progress.skipped(step, 'inputs unchanged');

  const dataKey = hashJson({ simulation, sources: sources('simulator') });
  await cachedStep({
    stampPath: join(paths.data, '.stamp-simulate.json'),
    key: dataKey,
    outputs: Object.values(fraud.FRAUD_DATA_FILES).map((name) => join(paths.data, name)),
    force,
    onSkip: skip('simulate'),
    run: () =>
      progress.step('simulate', (step) => {
        const summary = fraud.writeFraudDataset(paths.data, simulation, (day, days) =>
          step.update((day + 1) / days, `day ${day + 1}/${days}`),
        );
        step.note(
          `${summary.transactions} payments, ${(100 * summary.fraudShare).toFixed(3)} % fraud, ${summary.chargebacks} chargebacks`,
        );
        return summary;
      }),
  });

  const featuresKey = hashJson({ dataKey, sources: sources('features') });
  const features = await cachedStep<FeatureMatrixDescription>({
    stampPath: join(paths.features, '.stamp-replay.json'),
    key: featuresKey,
    outputs: Object.values(FEATURE_FILES).map((name) => join(paths.features, name)),
    force,
    onSkip: skip('replay features'),
    run: () =>
      progress.step('replay features', (step) => {
        const description = replayFeatures(paths.data, paths.features, step);
        step.note(
          `${description.rows} rows x ${description.featureNames.length} features, ${description.replayTxPerSecond} tx/s`,
        );
        return description;
      }),
  });

  const settingsJson = JSON.stringify(settings);
  const trainKey = hashJson({
    featuresKey,
    split: settings.split,
    lightgbm: settings.lightgbm,
    parityRows: settings.parityRows,
    sources: sources('python'),
  });
  await cachedStep({
    stampPath: join(paths.work, '.stamp-train.json'),
    key: trainKey,
    outputs: [
      join(paths.artifacts, MODEL_FILE),
      join(paths.artifacts, REFERENCE_FILE),
      join(paths.work, 'training-report.json'),
    ],
    force,
    onSkip: skip('train'),
    run: () =>
      progress.step('train', () =>
        runFraudPython(root, 'train', [
          '--features',
          paths.features,
          '--artifacts',
          paths.artifacts,
          '--work',
          paths.work,
          '--settings',
          settingsJson,
          '--label',
          progress.label('train'),
        ]),
      ),
  });
  const training = readJsonFile<TrainingReport>(join(paths.work, 'training-report.json'));

  const parity = await cachedStep({
    stampPath: join(paths.work, '.stamp-parity.json'),
    key: hashJson({ trainKey, sources: sources('parity') }),
    outputs: [],
    force,
    onSkip: skip('ONNX parity (onnxruntime-node)'),
    run: () =>
      progress.step('ONNX parity (onnxruntime-node)', async (step) => {
        const result = await checkOnnxParity(
          join(paths.artifacts, MODEL_FILE),
          paths.work,
          training.calibration,
        );
        step.note(
          `max |diff| ${result.onnxMaxAbsDiff.toExponential(2)} (model), ${result.calibrationMaxAbsDiff.toExponential(2)} (calibration) on ${result.rows} rows`,
        );
        return result;
      }),
  });

  const evaluationPath = join(paths.work, 'evaluation.json');
  const evaluateKey = hashJson({
    featuresKey,
    protocol: settings.protocol,
    lightgbm: settings.lightgbm,
    sources: [sources('python'), sources('rules')],
  });
  await cachedStep({
    stampPath: join(paths.work, '.stamp-evaluate.json'),
    key: evaluateKey,
    outputs: [evaluationPath],
    force,
    onSkip: skip('Handbook-protocol evaluation'),
    run: () =>
      progress.step('Handbook-protocol evaluation', async () => {
        const rulesScores = join(paths.work, 'rules-scores.f32');
        scoreFeatureMatrix(paths.features, features, rulesScores);
        await runFraudPython(root, 'evaluate', [
          '--features',
          paths.features,
          '--rules-scores',
          rulesScores,
          '--out',
          evaluationPath,
          '--settings',
          settingsJson,
          '--label',
          progress.label('evaluate'),
        ]);
      }),
  });

  const publishKey = hashJson({ trainKey, evaluateKey, parity, sources: sources('publish') });
  await cachedStep({
    stampPath: join(paths.artifacts, '.stamp-publish.json'),
    key: publishKey,
    outputs: [join(paths.artifacts, 'manifest.json')],
    force,
    onSkip: skip('publish artifacts'),
    run: () =>
      progress.step('publish artifacts', (step) => {
        const manifest = publishArtifacts({
          artifactsDir: paths.artifacts,
          dataTerminals: join(paths.data, fraud.FRAUD_DATA_FILES.terminals),
          profile,
          artifactVersion: trainKey.slice(0, 16),
          training,
          parity,
          evaluation: readJsonFile<EvaluationReport>(evaluationPath),
        });
        loadFraudArtifacts(paths.artifacts);
        step.note(`${paths.artifacts} (version ${manifest.artifactVersion})`);
        return manifest.artifactVersion;
      }),
  });
  return paths.artifacts;
}
