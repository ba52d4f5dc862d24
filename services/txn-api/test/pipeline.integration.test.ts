import { partitionOwnersKey } from '@mlsys/contracts';
import { DEFAULT_RULES_FILE, RulesFile } from '@mlsys/fraud-scorer/rules-only';
import { createKafka, ensureTopics, JsonProducer, partitionOfKey, TopicReader } from '@mlsys/kafka';
import { closeRedis, connectRedis, createRedis, type RedisClient } from '@mlsys/redis';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { uniqueName, waitUntil } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDecisionConsumer } from '../src/adapters/decision-consumer.js';
import { KafkaTransactionPublisher } from '../src/adapters/kafka-publisher.js';
import { LocalRulesOnlyDecider } from '../src/adapters/local-rules.js';
import { HttpOwnerDecider } from '../src/adapters/owner-decider.js';
import { RedisOwnerDirectory } from '../src/adapters/owner-directory.js';
import { RedisDecisionStore } from '../src/adapters/redis-decision-store.js';
import { RedisTransactionLedger } from '../src/adapters/redis-transaction-ledger.js';
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

/** A feature-engine group nobody runs: no partition has an owner, so ?wait=true falls back. */
const noOwners = () => ({
  owners: new RedisOwnerDirectory(
    redis,
    partitionOwnersKey(uniqueName('nobody')),
    topics.transactions,
    3,
    () => {},
  ),
  decider: new HttpOwnerDecider(),
});
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
    logger,
    onGroupJoin: joined,
  });
  await consumer.start();
  await hasJoined;
  app = buildApp({
    publisher: new KafkaTransactionPublisher(producer, topics.transactions, (cardId) =>
      partitionOfKey(topics.transactions, cardId, 3),
    ),
    decisions: store,
    ...noOwners(),
    ledger: new RedisTransactionLedger(redis, 600),
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

  it('when a transaction is posted twice and its id reused with another body, then the topic holds it once, as first sent', async () => {
    const reader = await new TopicReader(kafka, topics.transactions).start();
    const cardId = uniqueName('card');
    const transaction = validTransaction({ transactionId: uniqueName('tx'), cardId });
    const marker = validTransaction({ transactionId: uniqueName('tx-marker'), cardId });

    const answers = [
      await app.inject({ method: 'POST', url: '/v1/transactions', payload: transaction }),
      await app.inject({ method: 'POST', url: '/v1/transactions', payload: transaction }),
      await app.inject({ method: 'POST', url: '/v1/transactions', payload: { ...transaction, amount: 1 } }),
      // Same card, so same partition, behind anything the three requests produced.
      await app.inject({ method: 'POST', url: '/v1/transactions', payload: marker }),
    ];
    const records = await reader.waitFor((r) => r.some((m) => m.value?.includes(marker.transactionId)));
    await reader.stop();

    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 409, 202]);
    const produced = records
      .filter((m) => m.key === cardId)
      .map((m) => JSON.parse(m.value!).transactionId as string);
    expect(produced).toEqual([transaction.transactionId, marker.transactionId]);
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

describe('txn-api when no partition owner answers', () => {
  it("when no owner of the card's partition is announced, then the payment is produced and the scorer's payment-level rules answer in-process, flagged rules-only", async () => {
    const reader = await new TopicReader(kafka, topics.transactions).start();
    const slowApp = buildApp({
      publisher: new KafkaTransactionPublisher(producer, topics.transactions, (cardId) =>
        partitionOfKey(topics.transactions, cardId, 3),
      ),
      decisions: new RedisDecisionStore(redis, 600),
      ...noOwners(),
      ledger: new RedisTransactionLedger(redis, 600),
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
    await reader.waitFor((r) => r.some((m) => m.value?.includes(transaction.transactionId) ?? false));
    await reader.stop();

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      transactionId: transaction.transactionId,
      decision: 'review',
      mode: 'rules-only',
      reasons: ['rule high-amount: amount above 200'],
    });
  });
});
