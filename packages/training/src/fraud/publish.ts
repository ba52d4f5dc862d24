import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeErrors } from '@mlsys/contracts';
import {
  describeArtifactFile,
  FEATURE_NAMES,
  FEATURE_SPEC_VERSION,
  FRAUD_ARTIFACT_FORMAT_VERSION,
  type FraudManifest,
  MANIFEST_FILE,
  manifestValidator,
} from '@mlsys/fraud-core';
import type { ParityResult } from './onnx-parity.js';

/** What train.py writes to the work folder (training-report.json). */
export interface TrainingReport {
  calibration: FraudManifest['calibration'];
  thresholds: FraudManifest['thresholds'];
  metrics: Record<string, number>;
}

/** The headline figures of evaluate.py's report (evaluation.json). */
export interface EvaluationReport {
  models: Record<string, { auc_roc: number; average_precision: number; card_precision_at_100: number }>;
  oracleCardPrecisionAt100: number;
}

export const MODEL_FILE = 'model.onnx';
export const REFERENCE_FILE = 'reference.json';
export const TERMINALS_FILE = 'terminals.csv';

/**
 * Completes the artifact folder the services load: copies the terminal
 * directory next to the model and writes manifest.json last, under a
 * temporary name renamed into place, so a reader never sees a manifest
 * whose files are not all there.
 */
export function publishArtifacts(input: {
  artifactsDir: string;
  dataTerminals: string;
  profile: string;
  artifactVersion: string;
  training: TrainingReport;
  parity: ParityResult;
  evaluation: EvaluationReport;
}): FraudManifest {
  const { artifactsDir } = input;
  copyFileSync(input.dataTerminals, join(artifactsDir, TERMINALS_FILE));
  const lightgbm = input.evaluation.models.lightgbm;
  const manifest: FraudManifest = {
    formatVersion: FRAUD_ARTIFACT_FORMAT_VERSION,
    design: 'fraud',
    profile: input.profile,
    artifactVersion: input.artifactVersion,
    createdAt: new Date().toISOString(),
    featureSpecVersion: FEATURE_SPEC_VERSION,
    featureNames: [...FEATURE_NAMES],
    model: { file: MODEL_FILE, inputName: 'input', probabilitiesOutput: 'probabilities', fraudColumn: 1 },
    calibration: input.training.calibration,
    thresholds: input.training.thresholds,
    referenceFile: REFERENCE_FILE,
    terminalsFile: TERMINALS_FILE,
    metrics: {
      ...input.training.metrics,
      onnx_node_max_abs_diff: input.parity.onnxMaxAbsDiff,
      calibration_node_max_abs_diff: input.parity.calibrationMaxAbsDiff,
      ...(lightgbm && {
        handbook_protocol_auc_roc: lightgbm.auc_roc,
        handbook_protocol_average_precision: lightgbm.average_precision,
        handbook_protocol_card_precision_at_100: lightgbm.card_precision_at_100,
      }),
    },
    files: [MODEL_FILE, REFERENCE_FILE, TERMINALS_FILE].map((name) =>
      describeArtifactFile(artifactsDir, name),
    ),
  };
  const checked = manifestValidator.validate(manifest);
  if (!checked.ok)
    throw new Error(`the fraud manifest would be malformed: ${describeErrors(checked.errors)}`);
  const temp = join(artifactsDir, `${MANIFEST_FILE}.partial`);
  writeFileSync(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(temp, join(artifactsDir, MANIFEST_FILE));
  return manifest;
}

export const readJsonFile = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
