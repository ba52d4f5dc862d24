import { compileSchema, DeadLetterHeaders } from '@mlsys/contracts';
import { createLogger } from '@mlsys/telemetry';
import { uniqueName, waitUntil } from '@mlsys/testkit';
import Type from 'typebox';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  BatchConsumer,
  type ConsumedMessage,
  createKafka,
  ensureTopics,
  JsonProducer,
  TopicReader,
} from '../src/index.js';

const infra = inject('infra');
const kafka = createKafka({ clientId: 'kafka-test', brokers: infra.kafkaBrokers });
const logger = createLogger({ service: 'kafka-test', level: 'silent' });
const Ping = Type.Object({ n: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });
const producer = new JsonProducer(kafka);

beforeAll(async () => {
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
});

describe('kafka helpers (real broker)', () => {
  it('when topics are ensured twice, then the second call leaves them as they are', async () => {
    const name = uniqueName('ensure');
    await ensureTopics(kafka, [{ name, partitions: 3 }]);
    await ensureTopics(kafka, [{ name, partitions: 3 }]);
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [name] });
    await admin.disconnect();
    expect(meta.topics[0]?.partitions).toHaveLength(3);
  });

  it('when valid and malformed messages are consumed, then valid ones reach the handler and bad ones the DLQ as they came, with the reason', async () => {
    const topic = uniqueName('pings');
    const dlq = `${topic}.dlq`;
    await ensureTopics(kafka, [
      { name: topic, partitions: 2 },
      { name: dlq, partitions: 1 },
    ]);
    await producer.send(topic, [
      { key: 'a', value: { n: 1 } },
      { key: 'b', value: { n: -5 } },
      { key: 'c', value: { n: 2 } },
    ]);
    // Not JSON at all: sent through kafkajs directly, as a foreign producer would.
    const raw = kafka.producer();
    await raw.connect();
    await raw.send({
      topic,
      messages: [
        { key: 'd', value: '{not json' },
        { value: '{"n":"x"}', headers: { 'trace-id': 'abc' } },
      ],
    });
    await raw.disconnect();

    const handled: ConsumedMessage<{ n: number }>[] = [];
    const consumer = new BatchConsumer({
      kafka,
      groupId: uniqueName('group'),
      topics: [topic],
      schema: compileSchema(Ping),
      deadLetterTopic: dlq,
      producer,
      logger,
      handleBatch: async (messages) => {
        handled.push(...messages);
      },
    });
    const dead = await new TopicReader(kafka, dlq).start();
    await consumer.start();

    await waitUntil(() => handled.length === 2, { what: 'two valid messages' });
    const records = await dead.waitFor((r) => r.length === 3);
    await consumer.stop();
    await dead.stop();

    expect(handled.map((m) => m.value.n).sort()).toEqual([1, 2]);
    const reasons = Object.fromEntries(records.map((r) => [r.key, r.headers[DeadLetterHeaders.reason]]));
    expect(reasons.b).toBe('n: must be >= 0');
    expect(reasons.d).toMatch(/^\(body\): is not valid JSON/);
    expect(records.every((r) => r.headers[DeadLetterHeaders.sourceTopic] === topic)).toBe(true);
    // The original bytes, not JSON-quoted; a missing key stays null; the original headers stay.
    const values = Object.fromEntries(records.map((r) => [String(r.key), r.value]));
    expect(values).toEqual({ b: '{"n":-5}', d: '{not json', null: '{"n":"x"}' });
    expect(records.find((r) => r.key === null)?.headers['trace-id']).toBe('abc');
  });

  it('when a consumer restarts in the same group, then committed messages are not delivered again', async () => {
    const topic = uniqueName('commits');
    const groupId = uniqueName('group');
    await ensureTopics(kafka, [
      { name: topic, partitions: 1 },
      { name: `${topic}.dlq`, partitions: 1 },
    ]);
    const seen: number[] = [];
    const makeConsumer = () =>
      new BatchConsumer({
        kafka,
        groupId,
        topics: [topic],
        schema: compileSchema(Ping),
        deadLetterTopic: `${topic}.dlq`,
        producer,
        logger,
        handleBatch: async (messages) => {
          seen.push(...messages.map((m) => m.value.n));
        },
      });

    await producer.send(
      topic,
      [1, 2, 3].map((n) => ({ key: 'k', value: { n } })),
    );
    const first = makeConsumer();
    await first.start();
    await waitUntil(() => seen.length === 3, { what: 'first three messages' });
    await first.stop();

    await producer.send(topic, [{ key: 'k', value: { n: 4 } }]);
    const second = makeConsumer();
    await second.start();
    await waitUntil(() => seen.length >= 4, { what: 'the fourth message' });
    await second.stop();

    expect(seen).toEqual([1, 2, 3, 4]);
  });
});
