import { DEFAULT_RULES_FILE, RulesFile } from '@mlsys/fraud-scorer/rules-only';
import { createKafka, ensureTopics, JsonProducer, TopicReader } from '@mlsys/kafka';
import { closeRedis, connectRedis, createRedis, type RedisClient } from '@mlsys/redis';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { uniqueName, waitUntil } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDecisionConsumer } from '../src/adapters/decision-consumer.js';
import { KafkaTransactionPublisher } from '../src/adapters/kafka-publisher.js';
import { LocalRulesOnlyDecider } from '../src/adapters/local-rules.js';
import { RedisDecisionStore } from '../src/adapters/redis-decision-store.js';
import { buildApp } from '../src/app.js';
import { DecisionWaiters } from '../src/domain/decision-waiters.js';
import { decisionFor, validTransaction } from './fakes.js';

const infra = inject('infra');
const logger = createLogger({ service: 'txn-api-test', level: 'silent' });
const kafka = createKafka({ clientId: 'txn-api-test', brokers: infra.kafkaBrokers });
const topics = {
  transactions: uniqueName('transactions'),
  decisions: uniqueName('decisions'),
  dlq: uniqueName('dlq'),
};

let redis: RedisClient;
let producer: JsonProducer;
let consumer: ReturnType<typeof createDecisionConsumer>;
let app: ReturnType<typeof buildApp>;
/** The scorer's own rules file, as txn-api loads it by default. */
const scorerRules = new RulesFile(DEFAULT_RULES_FILE, { reloaded: () => {}, rejected: () => {} });

beforeAll(async () => {
  redis = createRedis({ url: infra.redisUrl, keyPrefix: `${uniqueName('txn-api')}:` });
  await connectRedis(redis, infra.redisUrl);
  await ensureTopics(kafka, [
    { name: topics.transactions, partitions: 3 },
    { name: topics.decisions, partitions: 3 },
    { name: topics.dlq, partitions: 1 },
  ]);
  producer = new JsonProducer(kafka);
  await producer.connect();
  const store = new RedisDecisionStore(redis, 600);
  const waiters = new DecisionWaiters();
  let joined!: () => void;
  const hasJoined = new Promise<void>((resolve) => {
    joined = resolve;
  });
  consumer = createDecisionConsumer({
    kafka,
    producer,
    groupId: uniqueName('txn-api-decisions'),
    decisionsTopic: topics.decisions,
    deadLetterTopic: topics.dlq,
    store,
    waiters,
    logger,
    onGroupJoin: joined,
  });
  await consumer.start();
  await hasJoined;
  app = buildApp({
    publisher: new KafkaTransactionPublisher(producer, topics.transactions),
    decisions: store,
    waiters,
    rulesOnly: new LocalRulesOnlyDecider(scorerRules),
    // Long enough for the test to play the pipeline: read the transaction, produce its decision.
    syncDeadlineMs: 5_000,
    logger,
    metrics: createMetrics('txn-api', { defaultMetrics: false }),
    version: 'test',
    readiness: {},
  });
});

afterAll(async () => {
  await app.close();
  await consumer.stop();
  await producer.disconnect();
  await closeRedis(redis);
});

describe('txn-api against the real Kafka and Redis', () => {
  it('when a transaction is accepted, then it is on the transactions topic keyed by its card', async () => {
    const reader = await new TopicReader(kafka, topics.transactions).start();
    const transaction = validTransaction({ transactionId: uniqueName('tx'), cardId: 'card-77' });
    const res = await app.inject({ method: 'POST', url: '/v1/transactions', payload: transaction });
    expect(res.statusCode).toBe(202);
    const records = await reader.waitFor((r) => r.some((m) => m.key === 'card-77'));
    await reader.stop();
    const record = records.find((m) => m.key === 'card-77')!;
    expect(JSON.parse(record.value!)).toEqual(transaction);
  });

  it('when a decision is produced, then GET /v1/decisions/:id serves it from Redis', async () => {
    const transaction = validTransaction({ transactionId: uniqueName('tx') });
    const decision = decisionFor(transaction);
    await producer.send(topics.decisions, [{ key: decision.cardId, value: decision }]);
    const res = await waitUntil(
      async () => {
        const r = await app.inject({ method: 'GET', url: `/v1/decisions/${transaction.transactionId}` });
        return r.statusCode === 200 ? r : undefined;
      },
      { what: 'the decision to be readable' },
    );
    expect(res.json()).toEqual(decision);
    expect(await redis.ttl(`decision:${transaction.transactionId}`)).toBeGreaterThan(0);
  });

  it('when a transaction waits for its decision and the pipeline answers through Kafka, then that decision is the answer', async () => {
    const transaction = validTransaction({ transactionId: uniqueName('tx'), cardId: 'card-sync' });
    const reader = await new TopicReader(kafka, topics.transactions).start();

    const response = app.inject({ method: 'POST', url: '/v1/transactions?wait=true', payload: transaction });
    await reader.waitFor((r) => r.some((m) => m.value?.includes(transaction.transactionId) ?? false));
    await reader.stop();
    const decision = { ...decisionFor(transaction), decision: 'decline' as const };
    await producer.send(topics.decisions, [{ key: transaction.cardId, value: decision }]);
    const res = await response;

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(decision);
  });
});

describe('txn-api when the pipeline is too slow', () => {
  it("when nobody decides in time, then the scorer's payment-level rules answer in-process, flagged rules-only", async () => {
    const slowApp = buildApp({
      publisher: new KafkaTransactionPublisher(producer, topics.transactions),
      decisions: new RedisDecisionStore(redis, 600),
      waiters: new DecisionWaiters(),
      rulesOnly: new LocalRulesOnlyDecider(scorerRules),
      syncDeadlineMs: 20,
      logger,
      metrics: createMetrics('txn-api', { defaultMetrics: false }),
      version: 'test',
      readiness: {},
    });
    const transaction = validTransaction({ transactionId: uniqueName('tx'), amount: 450 });

    const res = await slowApp.inject({
      method: 'POST',
      url: '/v1/transactions?wait=true',
      payload: transaction,
    });
    await slowApp.close();

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      transactionId: transaction.transactionId,
      decision: 'review',
      mode: 'rules-only',
      reasons: ['rule high-amount: amount above 200'],
    });
  });
});
