import { CompressionTypes, type Kafka, Partitioners, type Producer } from 'kafkajs';

export interface OutgoingMessage<T> {
  /** Partitioning key: events of one card (or user) share a key and so an order. */
  key: string;
  value: T;
  headers?: Record<string, string>;
  /** Event time in ms; stored as the Kafka record timestamp. */
  timestamp?: number;
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
