import { fraud } from '@mlsys/datagen';
import { FraudFeatureEngine, loadFraudArtifacts, newFeatureVector } from '@mlsys/fraud-core';
import { testArtifactsDir } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxFraudModel } from '../src/adapters/onnx-model.js';

const artifacts = loadFraudArtifacts(testArtifactsDir('fraud'));
let model: OnnxFraudModel;

beforeAll(async () => {
  model = await OnnxFraudModel.load(artifacts);
});
afterAll(async () => {
  await model.close();
});

/** Features and labels of the first simulated payments, computed by the engine the pipeline runs. */
function simulatedRows(count: number) {
  const engine = new FraudFeatureEngine({ terminals: artifacts.terminals });
  const width = model.featureCount;
  const matrix = new Float32Array(count * width);
  const labels: boolean[] = [];
  const vector = newFeatureVector();
  for (const event of fraud.simulateFraud(fraud.fraudProfile('tiny'))) {
    if (event.kind === 'chargeback') {
      engine.applyChargeback(event.chargeback);
      continue;
    }
    engine.apply(event.transaction, vector);
    matrix.set(vector, labels.length * width);
    labels.push(event.label.isFraud);
    if (labels.length === count) break;
  }
  return { matrix, labels };
}

/** Probability that a random fraud outscores a random legitimate payment. */
function aucRoc(scores: ArrayLike<number>, labels: readonly boolean[]): number {
  let pairs = 0;
  let wins = 0;
  for (let i = 0; i < labels.length; i++) {
    if (!labels[i]) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j]) continue;
      pairs += 1;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe('OnnxFraudModel', () => {
  it('when it scores simulated payments in one call, then each gets a probability and frauds rank above the rest', async () => {
    const { matrix, labels } = simulatedRows(6_000);

    const scores = await model.predict(matrix, labels.length);

    expect(scores).toHaveLength(labels.length);
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(labels.filter(Boolean).length).toBeGreaterThan(10);
    expect(aucRoc(scores, labels)).toBeGreaterThan(0.85);
  });

  it('when loaded, then it reports the versions its artifacts declare', () => {
    expect(model.version).toBe(artifacts.manifest.artifactVersion);
    expect(model.featureSpecVersion).toBe(artifacts.manifest.featureSpecVersion);
    expect(model.featureCount).toBe(artifacts.manifest.featureNames.length);
  });
});
