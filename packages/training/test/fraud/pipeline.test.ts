import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fraud } from '@mlsys/datagen';
import {
  FEATURE_NAMES,
  FraudFeatureEngine,
  loadFraudArtifacts,
  parseTerminalDirectory,
} from '@mlsys/fraud-core';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_FILES } from '../../src/fraud/feature-matrix.js';
import { checkOnnxParity } from '../../src/fraud/onnx-parity.js';
import { fraudPaths } from '../../src/fraud/paths.js';
import { runFraudPipeline } from '../../src/fraud/pipeline.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

describe('fraud pipeline, tiny profile, end to end', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'fraud-pipeline-'));
  const paths = fraudPaths(cacheDir, 'tiny');
  const firstRun: string[] = [];

  beforeAll(async () => {
    await runFraudPipeline({
      root,
      cacheDir,
      profile: 'tiny',
      force: false,
      print: (line) => firstRun.push(line),
    });
  }, 180_000);

  it('when run, then it publishes artifacts the reader accepts, with the Node parity figures in the manifest', () => {
    const artifacts = loadFraudArtifacts(paths.artifacts);

    expect(artifacts.manifest.profile).toBe('tiny');
    expect(artifacts.manifest.metrics.onnx_node_max_abs_diff).toBeLessThanOrEqual(1e-5);
    expect(artifacts.manifest.metrics.calibration_node_max_abs_diff).toBeLessThanOrEqual(1e-5);
    expect(artifacts.reference.features.map((f) => f.name)).toEqual([...FEATURE_NAMES]);
    expect(artifacts.manifest.thresholds.review.threshold).toBeLessThanOrEqual(
      artifacts.manifest.thresholds.decline.threshold,
    );
    expect(artifacts.terminals.size).toBe(fraud.FRAUD_PROFILES.tiny.terminals);
  });

  it('when onnxruntime-node scores the parity sample, then it matches LightGBM within 1e-5', async () => {
    const { manifest } = loadFraudArtifacts(paths.artifacts);
    const parity = await checkOnnxParity(
      join(paths.artifacts, manifest.model.file),
      paths.work,
      manifest.calibration,
    );
    expect(parity.rows).toBeGreaterThan(100);
    expect(parity.onnxMaxAbsDiff).toBeLessThanOrEqual(1e-5);
  });

  it('when the features are replayed, then each row is the float32 of what the engine computes online', async () => {
    const terminals = parseTerminalDirectory(
      readFileSync(join(paths.data, fraud.FRAUD_DATA_FILES.terminals), 'utf8'),
    );
    const engine = new FraudFeatureEngine({ terminals });
    const matrix = new Float32Array(readFileSync(join(paths.features, FEATURE_FILES.matrix)).buffer.slice(0));
    const online: number[] = [];
    for (const event of fraud.simulateFraud(fraud.FRAUD_PROFILES.tiny)) {
      if (event.kind === 'chargeback') {
        engine.applyChargeback(event.chargeback);
        continue;
      }
      const result = engine.apply(event.transaction);
      if (result.status !== 'applied') throw new Error('the simulator never repeats a transaction');
      online.push(...result.features);
    }
    const expected = Float32Array.from(online);
    let mismatches = 0;
    for (let i = 0; i < expected.length; i++) if (!Object.is(matrix[i], expected[i])) mismatches += 1;
    expect({ values: matrix.length, mismatches }).toEqual({ values: expected.length, mismatches: 0 });
  });

  it('when the published model scores a payment, then the calibrated probability lies in [0, 1]', async () => {
    const artifacts = loadFraudArtifacts(paths.artifacts);
    const session = await ort.InferenceSession.create(artifacts.modelPath);
    const input = new Float32Array(FEATURE_NAMES.length).fill(0);
    const output = await session.run({
      [artifacts.manifest.model.inputName]: new ort.Tensor('float32', input, [1, input.length]),
    });
    const raw = (output[artifacts.manifest.model.probabilitiesOutput]!.data as Float32Array)[1]!;
    await session.release();
    expect(artifacts.calibrate(raw)).toBeGreaterThanOrEqual(0);
    expect(artifacts.calibrate(raw)).toBeLessThanOrEqual(1);
  });

  it('when run again with unchanged inputs, then every step is skipped', async () => {
    const secondRun: string[] = [];
    await runFraudPipeline({
      root,
      cacheDir,
      profile: 'tiny',
      force: false,
      print: (line) => secondRun.push(line),
    });

    expect(firstRun.filter((line) => line.includes('✓'))).toHaveLength(6);
    expect(secondRun.filter((line) => line.includes('↷'))).toHaveLength(6);
    expect(secondRun.some((line) => line.includes('✓'))).toBe(false);
  });
});
