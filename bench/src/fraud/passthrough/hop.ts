import { createKafka } from '@mlsys/kafka';
import { TransactionalStream } from '@mlsys/kafka/stream';
import { Partitioners } from 'kafkajs';

/** `plain`: at-least-once, bytes copied; `eos`: the pipeline's exactly-once stream. */
export type Delivery = 'plain' | 'eos';

export interface HopOptions {
  delivery: Delivery;
  brokers: string[];
  from: string;
  to: string;
  groupId: string;
  /** Called once the hop consumes (its group joined), so the bench can start producing. */
  onReady: () => void;
}

/**
 * The pass-through hop: consume a batch, produce the same records, with
 * nothing in between: what Kafka and kafkajs cost alone. `plain` copies the
 * bytes and commits after the send (at-least-once); `eos` runs the
 * pipeline's TransactionalStream with an identity task (parse, serialise,
 * one transaction per batch). Resolves with the hop's stop.
 */
export async function startHop({
  delivery,
  brokers,
  from,
  to,
  groupId,
  onReady,
}: HopOptions): Promise<() => Promise<void>> {
  const kafka = createKafka({ clientId: groupId, brokers, silent: true });
  if (delivery === 'eos') {
    const stream = new TransactionalStream<{ cardId: string }>({
      kafka,
      groupId,
      transactionalId: groupId,
      topics: [from],
      decode: (_topic, value) => ({ ok: true, value: JSON.parse(value!.toString('utf8')) }),
      deadLetterTopic: to,
      ordering: { kind: 'arrival' },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      task: {
        process: (records) => ({
          messages: [{ topic: to, messages: records.map((r) => ({ key: r.key ?? '', value: r.value })) }],
        }),
      },
    });
    await stream.start();
    onReady();
    return () => stream.stop();
  }
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 100,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: from, fromBeginning: true });
  consumer.on(consumer.events.GROUP_JOIN, onReady);
  await consumer.run({
    eachBatch: async ({ batch }) => {
      await producer.send({
        topic: to,
        acks: -1,
        messages: batch.messages.map((m) => ({ key: m.key, value: m.value })),
      });
    },
  });
  return async () => {
    await consumer.disconnect();
    await producer.disconnect();
  };
}
