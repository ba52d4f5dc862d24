import { compileSchema } from '@mlsys/contracts';
import type { EachBatchPayload, Kafka, KafkaMessage, Message, ProducerRecord } from 'kafkajs';
import Type from 'typebox';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchConsumer } from '../src/consumer.js';
import { deadLetter } from '../src/dead-letters.js';
import { JsonProducer } from '../src/producer.js';
import { type DeadRecord, toEntry } from '../src/stream/dead-records.js';

const Ping = compileSchema(Type.Object({ n: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }));
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const topic = 'pings';
const partition = 2;

/** A kafkajs client that records what is produced and hands over the consumer's batch handler. */
function fakeKafka() {
  const sent: ProducerRecord[] = [];
  let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  const kafka = {
    producer: () => ({
      connect: async () => {},
      disconnect: async () => {},
      send: async (record: ProducerRecord) => {
        sent.push(record);
        return [];
      },
    }),
    consumer: () => ({
      connect: async () => {},
      disconnect: async () => {},
      subscribe: async () => {},
      run: async (config: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) => {
        eachBatch = config.eachBatch;
      },
    }),
  } as unknown as Kafka;
  const deliver = async (messages: KafkaMessage[]) => {
    if (!eachBatch) throw new Error('the consumer is not running');
    await eachBatch({
      batch: { topic, partition, messages, lastOffset: () => messages.at(-1)!.offset },
      resolveOffset: () => {},
      heartbeat: async () => {},
      commitOffsetsIfNecessary: async () => {},
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload);
  };
  return { kafka, sent, deliver };
}

/** What BatchConsumer writes to its dead-letter topic for these messages. */
async function batchConsumerDeadLetters(messages: KafkaMessage[]): Promise<Message[]> {
  const { kafka, sent, deliver } = fakeKafka();
  const consumer = new BatchConsumer({
    kafka,
    groupId: 'group',
    topics: [topic],
    schema: Ping,
    deadLetterTopic: `${topic}.dlq`,
    producer: new JsonProducer(kafka),
    handleBatch: async () => {},
    logger: quiet,
  });
  await consumer.start();
  await deliver(messages);
  return sent.filter((record) => record.topic === `${topic}.dlq`).flatMap((record) => record.messages);
}

/** What the transactional stream writes to its dead-letter topic for these messages. */
function streamDeadLetters(messages: KafkaMessage[]): Message[] {
  const decode = (_topic: string, value: Buffer | null) => Ping.decodeJson(value);
  return messages.map((message) => deadLetter(toEntry(decode, topic, partition, message, 0n) as DeadRecord));
}

const message = (offset: string, key: string | null, value: Buffer, headers: KafkaMessage['headers'] = {}) =>
  ({
    key: key === null ? null : Buffer.from(key),
    value,
    offset,
    timestamp: '1700000000000',
    attributes: 0,
    headers,
  }) as KafkaMessage;

describe("BatchConsumer's dead letters", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-02T03:04:05.678Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('when the same bad records reach BatchConsumer and the stream, then both write the same key, bytes and headers', async () => {
    const bad = [
      message('5', 'card-1', Buffer.from('{"n":-1}'), { 'trace-id': Buffer.from('abc') }),
      message('6', null, Buffer.from('{not json')),
      // Not UTF-8: a text round trip would replace these bytes.
      message('7', 'card-2', Buffer.from([0xff, 0xfe, 0x7b])),
    ];

    const fromConsumer = await batchConsumerDeadLetters(bad);

    expect(fromConsumer).toEqual(streamDeadLetters(bad));
  });

  it('when a bad record is dead-lettered, then its value is its original bytes (not JSON-quoted) and a missing key stays null', async () => {
    const original = Buffer.from([0xff, 0xfe, 0x7b]);

    const [letter] = await batchConsumerDeadLetters([message('7', null, original)]);

    expect(Buffer.isBuffer(letter?.value) && letter.value.equals(original)).toBe(true);
    expect(letter?.key).toBeNull();
  });
});
