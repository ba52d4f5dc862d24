import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';
import { closeRedis, connectRedis, createRedis, type Redis } from '@mlsys/redis';
import { WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { testArtifactsDir, uniqueName } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { artifactFeatureSource } from '../src/adapters/artifact-source.js';
import { RedisFeatureStore } from '../src/adapters/redis-feature-store.js';
import { buildApp, warmUpReadPath } from '../src/app.js';
import { materialize } from '../src/domain/materialize.js';
import { MaterializationProgress } from '../src/domain/progress.js';

const infra = inject('infra');
const artifacts = loadRecsArtifacts(testArtifactsDir('recs'));
const prefix = `${uniqueName('fs-warm')}:`;
let redis: Redis;
let raw: Redis;
let store: RedisFeatureStore;

/** Every key under the test's prefix with its serialised value: equal snapshots mean nothing was written. */
async function snapshot(): Promise<Map<string, string>> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  const values = await Promise.all(found.map((key) => raw.dumpBuffer(key)));
  return new Map(found.map((key, i) => [key, values[i]?.toString('base64') ?? '']));
}

beforeAll(async () => {
  redis = createRedis({ url: infra.redisUrl, keyPrefix: prefix }) as Redis;
  raw = createRedis({ url: infra.redisUrl }) as Redis;
  await Promise.all([connectRedis(redis, infra.redisUrl), connectRedis(raw, infra.redisUrl)]);
  store = new RedisFeatureStore(redis, { pointerCacheMs: 0 });
  await materialize(artifactFeatureSource(artifacts), store, { nowMs: Date.now(), batchSize: 200 });
});

afterAll(async () => {
  const keys = [...(await snapshot()).keys()];
  if (keys.length > 0) await raw.del(...keys);
  await Promise.all([closeRedis(redis), closeRedis(raw)]);
});

describe('warm-up', () => {
  it('when the read path has not run yet, then /readyz is 503; after it, 200, with not one key written or changed', async () => {
    const logger = createLogger({ service: 'feature-store', level: 'silent' });
    const metrics = createMetrics('feature-store', { defaultMetrics: false });
    const warmUp = new WarmUp({ logger, metrics });
    const app = buildApp({
      store,
      progress: new MaterializationProgress(),
      logger,
      metrics,
      version: 'test',
      readiness: {},
      warmUp,
    });
    warmUpReadPath(warmUp, app);
    try {
      const before = await app.inject({ url: '/readyz' });
      expect(before.statusCode).toBe(503);
      expect(before.json().checks).toContainEqual(expect.objectContaining({ name: 'warm-up', ok: false }));
      const stored = await snapshot();
      expect(stored.size).toBeGreaterThan(0);

      expect(await warmUp.run()).toBe(true);

      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
      expect(await snapshot()).toEqual(stored);
      expect(await metrics.registry.metrics()).not.toMatch(/^feature_store_user_lookups_total\{/m);
    } finally {
      await app.close();
    }
  });
});
