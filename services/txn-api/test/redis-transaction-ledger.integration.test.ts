import { closeRedis, connectRedis, createRedis, type RedisClient } from '@mlsys/redis';
import { uniqueName } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisTransactionLedger } from '../src/adapters/redis-transaction-ledger.js';
import { transactionFingerprint } from '../src/domain/transaction-fingerprint.js';
import { validTransaction } from './fakes.js';
import { ledgerContract } from './ledger-contract.js';

const infra = inject('infra');
const TTL_SECONDS = 600;
const LEASE_SECONDS = 30;
let redis: RedisClient;
let ledger: RedisTransactionLedger;

beforeAll(async () => {
  redis = createRedis({ url: infra.redisUrl, keyPrefix: `${uniqueName('txn-api-ledger')}:` });
  await connectRedis(redis, infra.redisUrl);
  ledger = new RedisTransactionLedger(redis, TTL_SECONDS, LEASE_SECONDS);
});

afterAll(async () => {
  if (redis) await closeRedis(redis);
});

describe('RedisTransactionLedger against the real Redis', () => {
  ledgerContract(() => ledger);

  it('when an id is admitted, then txn:<id> holds it in flight for the lease; once confirmed, produced for the TTL', async () => {
    const transaction = validTransaction({ transactionId: uniqueName('tx') });
    const key = `txn:${transaction.transactionId}`;
    const fingerprint = transactionFingerprint(transaction);

    await ledger.admit(transaction);
    expect(await redis.get(key)).toBe(`in-flight:${fingerprint}`);
    expect(await redis.ttl(key)).toBeGreaterThan(0);
    expect(await redis.ttl(key)).toBeLessThanOrEqual(LEASE_SECONDS);

    await ledger.confirm(transaction);
    expect(await redis.get(key)).toBe(`produced:${fingerprint}`);
    expect(await redis.ttl(key)).toBeGreaterThan(LEASE_SECONDS);
    expect(await redis.ttl(key)).toBeLessThanOrEqual(TTL_SECONDS);
  });

  it('when many requests race for one id, then exactly one is told new', async () => {
    const transaction = validTransaction({ transactionId: uniqueName('tx') });
    const racing = Array.from({ length: 20 }, (_, i) =>
      ledger.admit(i % 2 === 0 ? { ...transaction } : { ...transaction, amount: 1 + i }),
    );
    const admissions = await Promise.all(racing);
    expect(admissions.filter((a) => a === 'new')).toHaveLength(1);
  });
});
