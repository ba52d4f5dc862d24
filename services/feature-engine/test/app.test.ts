import { APPENDED_UNDECIDED } from '@mlsys/contracts';
import { FraudFeatureEngine } from '@mlsys/fraud-core';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type FeatureEngineDeps } from '../src/app.js';
import { NotReadyError } from '../src/domain/request-path.js';
import { MemoryStateStore, payment, terminals } from './helpers.js';

async function setup(decide?: FeatureEngineDeps['decide']) {
  const store = new MemoryStateStore();
  const engine = new FraudFeatureEngine({ terminals });
  engine.apply(payment({ cardId: 'card-7', amount: 12 }));
  const snapshot = engine.snapshot({ kind: 'card', id: 'card-7' })!;
  await store.save([[{ kind: 'card', id: 'card-7' }, JSON.stringify(snapshot)]], new Map([['tx#0', 0n]]));
  const app = buildApp({
    logger: createLogger({ service: 'feature-engine', level: 'silent' }),
    metrics: createMetrics('feature-engine', { defaultMetrics: false }),
    version: 'test',
    readiness: {},
    artifacts: () => ({ featureSpec: 'spec' }),
    status: () => ({
      featureSpecVersion: 'spec',
      entities: { card: 1, terminal: 1, device: 0, ip: 0 },
      batches: 3,
      bufferedRecords: 0,
      lastCheckpointAt: 42,
      ownedPartitions: [0, 1],
      unloggedDecisions: 0,
    }),
    store,
    decide,
  });
  return { app, snapshot };
}

let current: Awaited<ReturnType<typeof setup>> | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

describe('feature-engine HTTP', () => {
  it('when an entity is in the last checkpoint, then its snapshot is served', async () => {
    current = await setup();
    const res = await current.app.inject({ method: 'GET', url: '/v1/entities/card/card-7' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(current.snapshot);
  });

  it('when an entity is not checkpointed yet, then 404 says when it will be', async () => {
    current = await setup();
    const res = await current.app.inject({ method: 'GET', url: '/v1/entities/terminal/term-9' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toContain('after the next one');
  });

  it('when the kind is not an entity kind, then 400 names it', async () => {
    current = await setup();
    const res = await current.app.inject({ method: 'GET', url: '/v1/entities/merchant/m-1' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^params\.kind /);
  });

  it('when a payment is dated past the last instant a date can hold, then 400 names eventTime (a Kafka timestamp of it was a 500)', async () => {
    current = await setup();
    const res = await current.app.inject({
      method: 'POST',
      url: '/v1/decide',
      payload: { ...payment({ cardId: 'card-7' }), eventTime: 2.0100383720762857e28 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/eventTime/);
  });

  it('when a payment was appended but not decided in time, then 503 carries the code appended_undecided (txn-api publishes no copy on it, and only on it)', async () => {
    current = await setup(async () => {
      throw new NotReadyError('not decided within the caller budget; the stream logs its decision');
    });
    const res = await current.app.inject({
      method: 'POST',
      url: '/v1/decide',
      payload: payment({ cardId: 'card-7' }),
    });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatchObject({
      code: APPENDED_UNDECIDED,
      message: /the stream logs its decision/,
    });
  });

  it('when the status is asked for, then it reports the state held and the checkpoint', async () => {
    current = await setup();
    const res = await current.app.inject({ method: 'GET', url: '/v1/status' });
    expect(res.json()).toMatchObject({ entities: { card: 1 }, batches: 3, lastCheckpointAt: 42 });
  });
});
