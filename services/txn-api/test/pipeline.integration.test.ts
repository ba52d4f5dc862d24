import { createKafka, ensureTopics, JsonProducer, TopicReader } from '@mlsys/kafka';
import { closeRedis, connectRedis, createRedis, type RedisClient } from '@mlsys/redis';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { uniqueName, waitUntil } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDecisionConsumer } from '../src/adapters/decision-consumer.js';
import { KafkaTransactionPublisher } from '../src/adapters/kafka-publisher.js';
import { RedisDecisionStore } from '../src/adapters/redis-decision-store.js';
import { buildApp } from '../src/app.js';
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
  consumer = createDecisionConsumer({
    kafka,
    producer,
    groupId: uniqueName('txn-api-decisions'),
    decisionsTopic: topics.decisions,
    deadLetterTopic: topics.dlq,
    store,
    logger,
  });
  await consumer.start();
  app = buildApp({
    publisher: new KafkaTransactionPublisher(producer, topics.transactions),
    decisions: store,
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
});
