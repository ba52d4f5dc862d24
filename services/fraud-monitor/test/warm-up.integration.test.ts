import { loadFraudArtifacts } from '@mlsys/fraud-core';
import { closeRedis, connectRedis, createRedis, type RedisClient, unlinkMatching } from '@mlsys/redis';
import { WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { testArtifactsDir, uniqueName } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisLabelStore } from '../src/adapters/redis-label-store.js';
import { buildApp } from '../src/app.js';
import { DriftMonitor } from '../src/domain/drift.js';
import { FraudMonitor } from '../src/domain/fraud-monitor.js';
import { parseCohorts, parseWindow } from '../src/domain/windows.js';
import { warmUpReport } from '../src/warm-up.js';
import { DAY, decision, maturity, T0 } from './scenario.js';

const infra = inject('infra');
const artifacts = loadFraudArtifacts(testArtifactsDir('fraud'));
const namespace = uniqueName('fm-warm');
const driftOptions = { sampleSize: 2_000, threshold: 0.2, minSample: 500 };
let redis: RedisClient;

beforeAll(async () => {
  redis = createRedis({ url: infra.redisUrl, commandTimeoutMs: 10_000 });
  await connectRedis(redis, infra.redisUrl);
});
afterAll(async () => {
  await unlinkMatching(redis, `${namespace}:*`);
  await closeRedis(redis);
});

/** Every key of the namespace with its serialised value: equal snapshots mean nothing was written. */
async function snapshot(): Promise<Map<string, string>> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  const values = await Promise.all(found.map((key) => redis.dumpBuffer(key)));
  return new Map(found.map((key, i) => [key, values[i]?.toString('base64') ?? '']));
}

describe('warm-up', () => {
  it('when the report path has not run yet, then /readyz is 503; after, 200, with the join in Redis and the live drift sample unchanged', async () => {
    const featureNames = artifacts.manifest.featureNames;
    const labels = new RedisLabelStore({
      redis,
      windows: {
        quality: ['1h', '24h', '7d'].map(parseWindow),
        calibration: parseWindow('24h'),
        calibrationBins: 10,
        cohorts: parseCohorts(['1d', '3d', '8d']),
      },
      maturity: maturity(0),
      namespace,
      labelHorizonMs: 90 * DAY,
    });
    await labels.open();
    const drift = new DriftMonitor(artifacts.reference, featureNames, driftOptions);
    const monitor = new FraudMonitor({
      labels,
      drift,
      driftOptions,
      modelVersion: 'm',
      featureSpecVersion: artifacts.manifest.featureSpecVersion,
    });
    await monitor.addDecisions([decision(1, T0, 'approve', 0.1), decision(2, T0 + 1000, 'decline', 0.9)]);
    const logger = createLogger({ service: 'fraud-monitor', level: 'silent' });
    const metrics = createMetrics('fraud-monitor', { defaultMetrics: false });
    const warmUp = new WarmUp({ logger, metrics });
    const app = buildApp({
      logger,
      metrics,
      version: 'test',
      readiness: {},
      artifacts: () => ({}),
      report: () => monitor.report(),
      warmUp,
    });
    warmUpReport(warmUp, app, {
      scratchDrift: () => new DriftMonitor(artifacts.reference, featureNames, driftOptions),
      featureCount: featureNames.length,
    });
    try {
      const before = await app.inject({ url: '/readyz' });
      expect(before.statusCode).toBe(503);
      expect(before.json().checks).toContainEqual(expect.objectContaining({ name: 'warm-up', ok: false }));
      const stored = await snapshot();
      expect(stored.size).toBeGreaterThan(0);

      expect(await warmUp.run()).toBe(true);

      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
      expect(await snapshot()).toEqual(stored);
      expect(drift.sample).toBe(0);
    } finally {
      await app.close();
    }
  });
});
