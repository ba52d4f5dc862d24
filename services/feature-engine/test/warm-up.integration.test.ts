import { FraudFeatureEngine, loadFraudArtifacts } from '@mlsys/fraud-core';
import { DEFAULT_RULES_FILE, OnnxFraudModel, readRuleBook } from '@mlsys/fraud-scorer/decider';
import { closeRedis, connectRedis, createRedis, type RedisClient } from '@mlsys/redis';
import { WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { testArtifactsDir, uniqueName } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ModelScorer } from '../src/adapters/model-scorer.js';
import { RedisFeatureStateStore } from '../src/adapters/redis-state-store.js';
import { buildApp } from '../src/app.js';
import { warmUpRequestPath } from '../src/warm-up.js';
import { payment } from './helpers.js';

const infra = inject('infra');
const artifacts = loadFraudArtifacts(testArtifactsDir('fraud'));
const namespace = uniqueName('fe-warm');
let redis: RedisClient;
let model: OnnxFraudModel;

beforeAll(async () => {
  redis = createRedis({ url: infra.redisUrl });
  await connectRedis(redis, infra.redisUrl);
  model = await OnnxFraudModel.load(artifacts);
});
afterAll(async () => {
  await model.close();
  await closeRedis(redis);
});

async function keysUnder(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

describe('warm-up', () => {
  it('when the request path has not been warmed, then /readyz is 503; after, 200, with the live engine, the state keys and the payment path untouched', async () => {
    // The live engine holds one card; the warm-up must neither see nor change it.
    const live = new FraudFeatureEngine({ terminals: artifacts.terminals });
    live.apply(payment({ cardId: 'card-live' }));
    live.takeChanged();
    const liveSize = live.size();
    const decided: string[] = [];
    const modelRows: number[] = [];
    const rules = readRuleBook(DEFAULT_RULES_FILE);
    const { thresholds } = artifacts.manifest;

    const logger = createLogger({ service: 'feature-engine', level: 'silent' });
    const metrics = createMetrics('feature-engine', { defaultMetrics: false });
    const warmUp = new WarmUp({ logger, metrics });
    const app = buildApp({
      logger,
      metrics,
      version: 'test',
      readiness: {},
      artifacts: () => ({}),
      status: () => ({
        featureSpecVersion: 'spec',
        entities: live.size(),
        batches: 0,
        bufferedRecords: 0,
        lastCheckpointAt: null,
        ownedPartitions: [],
        unloggedDecisions: 0,
      }),
      store: new RedisFeatureStateStore(redis, namespace),
      // The only way to the payment log, the journal and Kafka.
      decide: async (transaction) => {
        decided.push(transaction.transactionId);
        throw new Error('the warm-up must not decide a payment');
      },
      warmUp,
    });
    warmUpRequestPath(warmUp, app, {
      scratchEngine: () => new FraudFeatureEngine({ terminals: artifacts.terminals }),
      scorer: new ModelScorer({
        model,
        rules: () => rules,
        thresholds: { review: thresholds.review.threshold, decline: thresholds.decline.threshold },
        batchWindowMs: 1,
        onCall: (rows) => modelRows.push(rows),
      }),
      terminalId: artifacts.terminals.keys().next().value!,
    });
    try {
      const before = await app.inject({ url: '/readyz' });
      expect(before.statusCode).toBe(503);
      expect(before.json().checks).toContainEqual(expect.objectContaining({ name: 'warm-up', ok: false }));

      expect(await warmUp.run()).toBe(true);

      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
      expect(new Set(modelRows)).toEqual(new Set([1, 8]));
      expect(decided).toEqual([]);
      expect(live.size()).toEqual(liveSize);
      expect(live.takeChanged()).toEqual([]);
      expect(await keysUnder(namespace)).toEqual([]);
      expect(await metrics.registry.metrics()).not.toMatch(
        /^feature_engine_request_decision_seconds_count\{/m,
      );
    } finally {
      await app.close();
    }
  });
});
