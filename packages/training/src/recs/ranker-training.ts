import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recs } from '@mlsys/datagen';
import { RANKER_FEATURES } from '@mlsys/recs-core';
import { RankerModel } from '@mlsys/recs-core/ranker-model';
import { readFloat64File } from './binary-files.js';
import { runPythonScript } from './python.js';
import type { ServingSettings } from './settings.js';

/** What python/recs/train_ranker.py reports (ranker-summary.json). */
export interface RankerSummary {
  trees: number;
  inputName: string;
  outputName: string;
  validNdcgAt10: number;
  trainRows: number;
  trainQueries: number;
  validRows: number;
  validQueries: number;
  featureGain: Record<string, number>;
  seconds: number;
}

export interface OnnxParity {
  rows: number;
  maxAbsDiff: number;
}

/** The largest score difference between LightGBM and onnxruntime-node the pipeline accepts. */
export const PARITY_TOLERANCE = 1e-5;

export const rankerOnnxPath = (dir: string) => join(dir, 'ranker.onnx');

export async function trainRanker(input: {
  root: string;
  dataDir: string;
  outDir: string;
  settings: ServingSettings;
  seed: number;
  label: string;
}): Promise<RankerSummary> {
  const { ranker } = input.settings;
  await runPythonScript(input.root, 'train_ranker.py', {
    dataDir: input.dataDir,
    featureNames: RANKER_FEATURES.join(','),
    trees: ranker.trees,
    learningRate: ranker.learningRate,
    leaves: ranker.leaves,
    minDataInLeaf: ranker.minDataInLeaf,
    seed: input.seed,
    outDir: input.outDir,
    label: input.label,
  });
  return JSON.parse(readFileSync(join(input.outDir, 'ranker-summary.json'), 'utf8')) as RankerSummary;
}

/**
 * Scores the parity sample with onnxruntime-node through the same wrapper
 * the ranker service uses, and compares with LightGBM's own scores. Throws
 * when they differ by more than PARITY_TOLERANCE: the exported model would
 * not rank like the trained one.
 */
export async function checkOnnxParity(outDir: string, summary: RankerSummary): Promise<OnnxParity> {
  const width = RANKER_FEATURES.length;
  const features = recs.readFloat32Matrix(join(outDir, 'parity-features.f32'), width);
  const expected = readFloat64File(join(outDir, 'parity-expected.f64'));
  const model = await RankerModel.load(rankerOnnxPath(outDir), summary);
  try {
    const scores = await model.score(features, expected.length);
    let maxAbsDiff = 0;
    for (let i = 0; i < expected.length; i++)
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(scores[i]! - expected[i]!));
    if (!(maxAbsDiff <= PARITY_TOLERANCE)) {
      throw new Error(
        `onnxruntime-node scores differ from LightGBM by up to ${maxAbsDiff} (tolerance ${PARITY_TOLERANCE}) on ${expected.length} rows; the ONNX export is not faithful`,
      );
    }
    return { rows: expected.length, maxAbsDiff };
  } finally {
    await model.close();
  }
}
