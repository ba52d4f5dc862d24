import { loadFraudArtifacts } from '@mlsys/fraud-core';
import { WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { testArtifactsDir } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxFraudModel } from '../src/adapters/onnx-model.js';
import { buildApp } from '../src/app.js';
import type { FraudModel } from '../src/domain/ports.js';
import { RuleBook } from '../src/domain/rules.js';
import { warmUpScoring } from '../src/warm-up.js';
import { highAmountRule, ruleSet } from './fixtures.js';

const artifacts = loadFraudArtifacts(testArtifactsDir('fraud'));
let onnx: OnnxFraudModel;
beforeAll(async () => {
  onnx = await OnnxFraudModel.load(artifacts);
});
afterAll(() => onnx.close());

describe('warm-up', () => {
  it('when the model has not run yet, then /readyz is 503; after batches of 1, 8 and 64 through the served model, 200, with no decision counted', async () => {
    const batches: number[] = [];
    // The served model, its batch sizes recorded.
    const model: FraudModel = {
      version: onnx.version,
      featureSpecVersion: onnx.featureSpecVersion,
      featureCount: onnx.featureCount,
      predict: (matrix, rows) => {
        batches.push(rows);
        return onnx.predict(matrix, rows);
      },
    };
    const rules = RuleBook.compile(ruleSet([highAmountRule]));
    const logger = createLogger({ service: 'fraud-scorer', level: 'silent' });
    const metrics = createMetrics('fraud-scorer', { defaultMetrics: false });
    const warmUp = new WarmUp({ logger, metrics });
    const app = buildApp({
      logger,
      metrics,
      version: 'test',
      readiness: {},
      artifacts: () => ({}),
      rules: () => rules,
      warmUp,
    });
    const { thresholds } = artifacts.manifest;
    warmUpScoring(warmUp, app, {
      model,
      rules: () => rules,
      thresholds: { review: thresholds.review.threshold, decline: thresholds.decline.threshold },
    });
    try {
      const before = await app.inject({ url: '/readyz' });
      expect(before.statusCode).toBe(503);
      expect(before.json().checks).toContainEqual(expect.objectContaining({ name: 'warm-up', ok: false }));

      expect(await warmUp.run()).toBe(true);

      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
      expect(new Set(batches)).toEqual(new Set([1, 8, 64]));
      const text = await metrics.registry.metrics();
      expect(text).not.toMatch(/^fraud_scorer_rules_only_decisions_total\{/m);
      expect(text).not.toMatch(/^http_request_duration_seconds_count\{[^}]*rules-only/m);
    } finally {
      await app.close();
    }
  });
});
