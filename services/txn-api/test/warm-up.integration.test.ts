import { closeRedis, connectRedis, createRedis, type RedisClient } from '@mlsys/redis';
import { WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { uniqueName } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisDecisionStore } from '../src/adapters/redis-decision-store.js';
import { RedisTransactionLedger } from '../src/adapters/redis-transaction-ledger.js';
import { buildApp } from '../src/app.js';
import { warmUpTxnApi } from '../src/warm-up.js';
import { RecordingPublisher, StubOwnerDecider, StubOwners, StubRulesOnly } from './fakes.js';

const infra = inject('infra');
const prefix = `${uniqueName('txn-api-warm')}:`;
let redis: RedisClient;
let raw: RedisClient;

beforeAll(async () => {
  redis = createRedis({ url: infra.redisUrl, keyPrefix: prefix });
  raw = createRedis({ url: infra.redisUrl });
  await Promise.all([connectRedis(redis, infra.redisUrl), connectRedis(raw, infra.redisUrl)]);
});
afterAll(async () => {
  await Promise.all([closeRedis(redis), closeRedis(raw)]);
});

async function keysUnder(pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

describe('warm-up', () => {
  it('when the hot path has not been warmed, then /readyz is 503; after, 200, with no txn: key, no decision, nothing published and no payment sent to an owner', async () => {
    const ledger = new RedisTransactionLedger(redis, 3600);
    const publisher = new RecordingPublisher();
    const decider = new StubOwnerDecider();
    const rulesOnly = new StubRulesOnly();
    const connected: string[] = [];
    const logger = createLogger({ service: 'txn-api', level: 'silent' });
    const metrics = createMetrics('txn-api', { defaultMetrics: false });
    const warmUp = new WarmUp({ logger, metrics });
    const owners = new StubOwners('http://owner-a');
    const app = buildApp({
      publisher,
      decisions: new RedisDecisionStore(redis, 3600),
      owners,
      decider,
      rulesOnly,
      syncDeadlineMs: 50,
      ledger,
      logger,
      metrics,
      version: 'test',
      readiness: {},
      warmUp,
    });
    warmUpTxnApi(warmUp, app, {
      loadLedgerScripts: () => ledger.loadScripts(),
      owners,
      partitions: 4,
      connectOwner: async (url) => {
        connected.push(url);
      },
      rulesOnly,
      logger,
    });
    try {
      const before = await app.inject({ url: '/readyz' });
      expect(before.statusCode).toBe(503);
      expect(before.json().checks).toContainEqual(expect.objectContaining({ name: 'warm-up', ok: false }));

      expect(await warmUp.run()).toBe(true);

      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
      expect(connected).toEqual(['http://owner-a']);
      expect(rulesOnly.asked.length).toBeGreaterThan(0);
      expect(publisher.published).toEqual([]);
      expect(decider.asked).toEqual([]);
      expect(await keysUnder(`${prefix}*`)).toEqual([]);
      expect(await metrics.registry.metrics()).not.toMatch(/^txn_api_admissions_total\{/m);
    } finally {
      await app.close();
    }
  });

  it('when an owner cannot be reached, then the warm-up still ends and the service becomes ready', async () => {
    const logger = createLogger({ service: 'txn-api', level: 'silent' });
    const metrics = createMetrics('txn-api', { defaultMetrics: false });
    const warmUp = new WarmUp({ logger, metrics });
    const ledger = new RedisTransactionLedger(redis, 3600);
    const owners = new StubOwners('http://owner-down');
    const app = buildApp({
      publisher: new RecordingPublisher(),
      decisions: new RedisDecisionStore(redis, 3600),
      owners,
      decider: new StubOwnerDecider(),
      rulesOnly: new StubRulesOnly(),
      syncDeadlineMs: 50,
      ledger,
      logger,
      metrics,
      version: 'test',
      readiness: {},
      warmUp,
    });
    warmUpTxnApi(warmUp, app, {
      loadLedgerScripts: () => ledger.loadScripts(),
      owners,
      partitions: 2,
      connectOwner: async (url) => {
        throw new Error(`connect ECONNREFUSED ${url}`);
      },
      rulesOnly: new StubRulesOnly(),
      logger,
    });
    try {
      expect(await warmUp.run()).toBe(true);
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
