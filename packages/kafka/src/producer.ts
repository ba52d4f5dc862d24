import { CompressionTypes, type Kafka, Partitioners, type Producer } from 'kafkajs';
import type { DeadLetter } from './dead-letters.js';

export interface OutgoingMessage<T> {
  /** Partitioning key: events of one card (or user) share a key and so an order. */
  key: string;
  value: T;
  headers?: Record<string, string>;
  /** Event time in ms; stored as the Kafka record timestamp. */
  timestamp?: number;
}

/** Where one produced record landed. */
export interface RecordPosition {
  partition: number;
  offset: bigint;
}

const keyPartitioner = Partitioners.DefaultPartitioner();

/**
 * The partition a producer here puts `key` in, for a topic of `partitions`
 * partitions: kafkajs' default partitioner (murmur2 of the key, as the Java
 * client), so a router can find a card's partition without producing.
 */
export function partitionOfKey(topic: string, key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  return keyPartitioner({ topic, partitionMetadata, message: { key, value: null } });
}

/** Typed JSON producer. Idempotent (no duplicates from its own retries) and acks=all. */
export class JsonProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Sends one batch to one topic in a single request per partition leader. */
  async send<T>(topic: string, messages: readonly OutgoingMessage<T>[]): Promise<void> {
    if (messages.length === 0) return;
    await this.producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: messages.map(encode),
    });
  }

  /**
   * Sends messages, each to the partition given, in one request, and answers
   * where each landed once every in-sync replica has it (a partition's
   * messages are written in order from its base offset).
   */
  async sendPlaced<T>(
    topic: string,
    messages: ReadonlyArray<OutgoingMessage<T> & { partition: number }>,
  ): Promise<RecordPosition[]> {
    const written = await this.producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: messages.map((message) => ({ ...encode(message), partition: message.partition })),
    });
    const next = new Map<number, bigint>();
    for (const { partition, baseOffset } of written) {
      if (baseOffset !== undefined) next.set(partition, BigInt(baseOffset));
    }
    return messages.map(({ partition }) => {
      const offset = next.get(partition);
      if (offset === undefined)
        throw new Error(`Kafka did not say where the message to ${topic}/${partition} landed`);
      next.set(partition, offset + 1n);
      return { partition, offset };
    });
  }

  /** Sends to several topics at once (e.g. results plus dead letters of one consumed batch). */
  async sendBatch(
    batches: ReadonlyArray<{ topic: string; messages: readonly OutgoingMessage<unknown>[] }>,
  ): Promise<void> {
    const topicMessages = batches
      .filter((b) => b.messages.length > 0)
      .map((b) => ({ topic: b.topic, messages: b.messages.map(encode) }));
    if (topicMessages.length === 0) return;
    await this.producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages });
  }

  /**
   * Sends dead letters as they are, not as JSON: the original bytes and key
   * (null stays null), as the transactional stream writes them, so the
   * dead-letter topic holds one form whichever consumer wrote to it. It sits
   * here rather than on a producer of its own because every `BatchConsumer`
   * caller already owns a connected, idempotent `JsonProducer` and its
   * shutdown; a second producer for the rare bad record would add a
   * connection and a lifecycle to each service.
   */
  async sendDeadLetters(topic: string, letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: letters.map(({ key, value, headers }) => ({ key, value, headers })),
    });
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    await this.producer.disconnect();
  }
}

function encode<T>(message: OutgoingMessage<T>) {
  return {
    key: message.key,
    value: JSON.stringify(message.value),
    ...(message.headers ? { headers: message.headers } : {}),
    ...(message.timestamp !== undefined ? { timestamp: String(message.timestamp) } : {}),
  };
}
