import type { Chargeback, EnrichedTransaction, Transaction } from '@mlsys/contracts';
import { DeadLetterHeaders } from '@mlsys/contracts';
import { fraud } from '@mlsys/datagen';
import {
  FraudFeatureEngine,
  featureRecord,
  newFeatureVector,
  type TerminalDirectory,
} from '@mlsys/fraud-core';
import { createKafka, ensureTopics, JsonProducer, type ReadRecord, TopicReader } from '@mlsys/kafka';
import type { TransactionalStream } from '@mlsys/kafka/stream';
import { closeRedis, connectRedis, createRedis, type RedisClient } from '@mlsys/redis';
import { createLogger } from '@mlsys/telemetry';
import { uniqueName } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFeatureStream, type FeatureTopics } from '../src/adapters/feature-stream.js';
import { RedisFeatureStateStore } from '../src/adapters/redis-state-store.js';
import { CheckpointReplica } from '../src/domain/checkpoint-replica.js';
import type { EngineEvent } from '../src/domain/events.js';
import { FeatureTask } from '../src/domain/feature-task.js';
import { InlineCheckpointer } from '../src/domain/inline-checkpointer.js';
import { payment } from './helpers.js';

const infra = inject('infra');
const logger = createLogger({ service: 'feature-engine-test', level: 'silent' });
const kafka = createKafka({ clientId: 'feature-engine-test', brokers: infra.kafkaBrokers });
const profile = fraud.fraudProfile('tiny');
const world = fraud.buildWorld(profile);
const terminals: TerminalDirectory = new Map(world.terminals.map((t) => [t.id, { x: t.x, y: t.y }]));

let redis: RedisClient;
let producer: JsonProducer;
const running: TransactionalStream<EngineEvent>[] = [];

beforeAll(async () => {
  redis = createRedis({ url: infra.redisUrl });
  await connectRedis(redis, infra.redisUrl);
  producer = new JsonProducer(kafka);
  await producer.connect();
});

afterAll(async () => {
  await Promise.all(running.map((stream) => stream.stop()));
  await producer.disconnect();
  await closeRedis(redis);
});

async function freshTopics(): Promise<FeatureTopics> {
  const topics = {
    transactions: uniqueName('transactions'),
    chargebacks: uniqueName('chargebacks'),
    enriched: uniqueName('enriched'),
    deadLetters: uniqueName('dlq'),
  };
  await ensureTopics(kafka, [
    { name: topics.transactions, partitions: 6 },
    { name: topics.chargebacks, partitions: 3 },
    { name: topics.enriched, partitions: 6 },
    { name: topics.deadLetters, partitions: 1 },
  ]);
  return topics;
}

async function startEngine(topics: FeatureTopics, namespace: string, groupId: string) {
  const store = new RedisFeatureStateStore(redis, namespace);
  const newEngine = () => new FraudFeatureEngine({ terminals });
  // The service runs the replica in a worker thread; here it shares the test's thread (same code otherwise).
  const checkpointer = new InlineCheckpointer(new CheckpointReplica(store, newEngine, 0));
  const task = new FeatureTask({ store, checkpointer, newEngine, enrichedTopic: topics.enriched });
  const stream = createFeatureStream({
    kafka,
    task,
    topics,
    groupId,
    transactionalId: uniqueName('fe-txn'),
    logger,
    maxAlignWaitMs: 2_000,
    maxBatchRecords: 1_000,
    commitIntervalMs: 0,
    minFetchBytes: 1,
    sessionTimeoutMs: 10_000,
  });
  await stream.start();
  running.push(stream);
  return { stream, store };
}

/** The simulation's first `count` payments and the chargebacks reported among them, in stream order. */
function simulatedEvents(count: number): fraud.SimulatedEvent[] {
  const events: fraud.SimulatedEvent[] = [];
  let payments = 0;
  for (const event of fraud.simulateFraud(profile)) {
    if (event.kind === 'transaction' && ++payments > count) break;
    events.push(event);
  }
  return events;
}

/** What training computes: the same engine over the same events, in the simulator's order. */
function offlineFeatures(events: readonly fraud.SimulatedEvent[]): Map<string, number[]> {
  const engine = new FraudFeatureEngine({ terminals });
  const vector = newFeatureVector();
  const features = new Map<string, number[]>();
  for (const event of events) {
    if (event.kind === 'chargeback') {
      engine.applyChargeback(event.chargeback);
    } else if (engine.apply(event.transaction, vector).status === 'applied') {
      features.set(event.transaction.transactionId, Array.from(vector));
    }
  }
  return features;
}

async function produceEvents(topics: FeatureTopics, events: readonly fraud.SimulatedEvent[]) {
  for (let i = 0; i < events.length; i += 500) {
    const slice = events.slice(i, i + 500);
    const payments: Transaction[] = [];
    const chargebacks: Chargeback[] = [];
    for (const event of slice) {
      if (event.kind === 'transaction') payments.push(event.transaction);
      else chargebacks.push(event.chargeback);
    }
    await producer.send(
      topics.transactions,
      payments.map((t) => ({ key: t.cardId, value: t, timestamp: t.eventTime })),
    );
    await producer.send(
      topics.chargebacks,
      chargebacks.map((c) => ({ key: c.cardId, value: c, timestamp: c.reportedAt })),
    );
  }
}

/** Bytes no JSON producer would write: what a broken client might send. */
async function sendRaw(topic: string, key: string, value: string): Promise<void> {
  const raw = kafka.producer();
  await raw.connect();
  await raw.send({ topic, messages: [{ key, value }] });
  await raw.disconnect();
}

const enrichedValues = (records: readonly ReadRecord[]) =>
  records.map((r) => JSON.parse(r.value!) as EnrichedTransaction);

describe('feature-engine against the real Kafka and Redis', () => {
  it('when simulated payments and chargebacks are replayed, then online features equal offline features for every payment', async () => {
    const topics = await freshTopics();
    const events = simulatedEvents(9_000);
    const expected = offlineFeatures(events);
    await produceEvents(topics, events);
    const reader = await new TopicReader(kafka, topics.enriched).start();

    await startEngine(topics, uniqueName('fe'), uniqueName('fe-group'));
    const records = await reader.waitFor((r) => r.length >= expected.size, 45_000);
    await reader.stop();

    const online = enrichedValues(records);
    expect(online).toHaveLength(expected.size);
    expect(new Set(online.map((e) => e.transaction.transactionId)).size).toBe(expected.size);
    const mismatches = online.filter((e) => {
      const offline = expected.get(e.transaction.transactionId);
      return !offline || offline.some((value, i) => value !== e.features[i]);
    });
    expect(mismatches.map((e) => e.transaction.transactionId)).toEqual([]);
    const chargebacks = events.filter((e) => e.kind === 'chargeback').length;
    expect(chargebacks).toBeGreaterThan(0);
  });

  it('when a payment is delivered twice among malformed messages, then it is enriched once, counted once, and the bad ones are dead-lettered with the reason', async () => {
    const topics = await freshTopics();
    const first = payment({ cardId: uniqueName('card'), amount: 40 });
    const later = payment({ cardId: first.cardId, amount: 2, eventTime: first.eventTime + 60_000 });
    const produce = (value: unknown) => producer.send(topics.transactions, [{ key: first.cardId, value }]);
    await produce(first);
    await produce({ ...first, amount: -1 });
    await produce(first);
    await sendRaw(topics.transactions, first.cardId, 'not json {');
    await produce(later);
    const enrichedReader = await new TopicReader(kafka, topics.enriched).start();
    const deadReader = await new TopicReader(kafka, topics.deadLetters).start();

    await startEngine(topics, uniqueName('fe'), uniqueName('fe-group'));
    const enriched = enrichedValues(
      await enrichedReader.waitFor((r) => r.some((m) => m.value?.includes(later.transactionId) ?? false)),
    );
    const dead = await deadReader.waitFor((r) => r.length >= 2);
    await Promise.all([enrichedReader.stop(), deadReader.stop()]);

    expect(enriched.map((e) => e.transaction.transactionId)).toEqual([
      first.transactionId,
      later.transactionId,
    ]);
    const laterFeatures = featureRecord(Float64Array.from(enriched[1]!.features));
    expect(laterFeatures.card_nb_tx_1h).toBe(2);
    expect(laterFeatures.card_sum_amount_1h).toBe(42);
    const reasons = dead.map((m) => m.headers[DeadLetterHeaders.reason]);
    expect(reasons[0]).toMatch(/^amount: /);
    expect(reasons[1]).toMatch(/not valid JSON/);
    expect(dead[0]!.headers[DeadLetterHeaders.sourceTopic]).toBe(topics.transactions);
  });

  it('when an engine stops and a new one takes over, then it resumes from the Redis checkpoint and features stay equal to offline', async () => {
    const topics = await freshTopics();
    const namespace = uniqueName('fe');
    const groupId = uniqueName('fe-group');
    const events = simulatedEvents(2_000);
    const expected = offlineFeatures(events);
    const thousandth = [...expected.keys()][999];
    const half = events.findIndex(
      (e) => e.kind === 'transaction' && e.transaction.transactionId === thousandth,
    );
    const reader = await new TopicReader(kafka, topics.enriched).start();

    await produceEvents(topics, events.slice(0, half + 1));
    const first = await startEngine(topics, namespace, groupId);
    await reader.waitFor((r) => r.length >= 1_000);
    await first.stream.stop();
    const firstCard = (events[0] as Extract<fraud.SimulatedEvent, { kind: 'transaction' }>).transaction
      .cardId;
    const checkpointed = await first.store.read({ kind: 'card', id: firstCard });
    await produceEvents(topics, events.slice(half + 1));
    await startEngine(topics, namespace, groupId);
    const records = await reader.waitFor((r) => r.length >= expected.size);
    await reader.stop();

    expect(checkpointed).toBeDefined();
    const online = enrichedValues(records);
    expect(online).toHaveLength(expected.size);
    for (const e of online) expect(e.features).toEqual(expected.get(e.transaction.transactionId));
  });

  it('when a checkpoint is cut short by a crash, then a restore and a reader still see the previous one whole', async () => {
    const namespace = uniqueName('fe');
    const store = new RedisFeatureStateStore(redis, namespace);
    const card = { kind: 'card' as const, id: 'card-torn' };
    const engine = new FraudFeatureEngine({ terminals });
    engine.apply(payment({ cardId: card.id, amount: 10 }));
    const first = engine.snapshot(card)!;
    await store.load();
    await store.save([[card, JSON.stringify(first)]], new Map([['tx#0', 5n]]));
    engine.apply(payment({ cardId: card.id, amount: 20 }));
    // What the next save writes before it commits: the other slot, with the next checkpoint id.
    await redis.set(
      `${namespace}:entity:card:card-torn:1`,
      `{"c":2,"s":${JSON.stringify(engine.snapshot(card))}}`,
    );

    const restored = await new RedisFeatureStateStore(redis, namespace).load();

    expect(restored.entities).toEqual([[card, first]]);
    expect(restored.offsets).toEqual(new Map([['tx#0', 5n]]));
    expect(await store.read(card)).toEqual(first);
  });

  it('when a store that never loaded is asked to save, then it refuses and the stored checkpoint stays whole', async () => {
    const namespace = uniqueName('fe');
    const card = { kind: 'card' as const, id: 'card-kept' };
    const engine = new FraudFeatureEngine({ terminals });
    engine.apply(payment({ cardId: card.id, amount: 10 }));
    const writer = new RedisFeatureStateStore(redis, namespace);
    await writer.load();
    await writer.save([[card, JSON.stringify(engine.snapshot(card))]], new Map([['tx#0', 1n]]));
    await writer.save([[card, JSON.stringify(engine.snapshot(card))]], new Map([['tx#0', 2n]]));

    // A replica stopped before its first assignment: it has read nothing, so it must write nothing.
    const unread = new RedisFeatureStateStore(redis, namespace);
    await expect(unread.save([], new Map())).rejects.toThrow('cannot be saved before the last one is loaded');

    const restored = await new RedisFeatureStateStore(redis, namespace).load();
    expect(restored.entities).toEqual([[card, engine.snapshot(card)]]);
    expect(restored.offsets).toEqual(new Map([['tx#0', 2n]]));
  });
});
