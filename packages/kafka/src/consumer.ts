import { describeErrors, type SchemaValidator } from '@mlsys/contracts';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Static, TSchema } from 'typebox';
import type { KafkaLogSink } from './client.js';
import { type DeadLetter, deadLetter, deadLetterSource } from './dead-letters.js';
import { textHeaders } from './headers.js';
import type { JsonProducer } from './producer.js';

export interface ConsumedMessage<T> {
  value: T;
  key: string | null;
  topic: string;
  partition: number;
  offset: string;
  /** Kafka record timestamp (ms). */
  timestamp: number;
  headers: Record<string, string>;
}

export interface BatchInfo {
  topic: string;
  partition: number;
  /** Offset of the last message of the batch, valid or not. */
  lastOffset: string;
  /** Keeps the group membership alive during long handlers. */
  heartbeat(): Promise<void>;
}

export interface BatchConsumerOptions<S extends TSchema> {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  schema: SchemaValidator<S>;
  /** Where messages that fail to parse or validate go, with the reason in their headers. */
  deadLetterTopic: string;
  /** Sends the dead letters (as they are, not as JSON); the caller owns its lifecycle. */
  producer: JsonProducer;
  handleBatch(messages: ConsumedMessage<Static<S>>[], batch: BatchInfo): Promise<void>;
  logger: KafkaLogSink;
  fromBeginning?: boolean;
  /** Bytes fetched per partition per request: bigger batches amortise commits and round trips. */
  maxBytesPerPartition?: number;
  /**
   * How long the broker holds a fetch with nothing to return (500 ms). A fetch returns as soon as a
   * record is there, so this only spaces out the polls of a quiet topic; at 100 ms they were most
   * of an idle consumer's CPU.
   */
  maxWaitTimeMs?: number;
  onGroupJoin?: (assignment: Record<string, number[]>) => void | Promise<void>;
}

/**
 * Consumes in batches with at-least-once delivery: a batch's offsets are
 * committed only after the handler and the dead-letter writes succeeded, so
 * a crash replays the batch rather than losing it. Handlers must therefore be
 * idempotent (the pipeline keys everything by transaction id).
 */
export class BatchConsumer<S extends TSchema> {
  private readonly consumer: Consumer;
  private running = false;
  private processedBatches = 0;

  constructor(private readonly options: BatchConsumerOptions<S>) {
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1024 * 1024,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 500,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    if (options.onGroupJoin) {
      const onJoin = options.onGroupJoin;
      this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
        void onJoin(event.payload.memberAssignment);
      });
    }
  }

  get isRunning(): boolean {
    return this.running;
  }

  get batches(): number {
    return this.processedBatches;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.options.topics,
      fromBeginning: this.options.fromBeginning ?? true,
    });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
    isRunning,
    isStale,
  }: EachBatchPayload) {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const valid: ConsumedMessage<Static<S>>[] = [];
    const dead: DeadLetter[] = [];
    for (const message of batch.messages) {
      const decoded = this.options.schema.decodeJson(message.value);
      if (decoded.ok) {
        valid.push({
          value: decoded.value,
          key: message.key?.toString('utf8') ?? null,
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          timestamp: Number(message.timestamp),
          headers: textHeaders(message.headers),
        });
      } else {
        const reason = describeErrors(decoded.errors);
        this.options.logger.warn(
          { topic: batch.topic, partition: batch.partition, offset: message.offset, reason },
          'dead-lettering invalid message',
        );
        dead.push(deadLetter(deadLetterSource(batch.topic, batch.partition, message, reason)));
      }
    }
    const lastOffset = batch.lastOffset();
    if (valid.length > 0) {
      await this.options.handleBatch(valid, {
        topic: batch.topic,
        partition: batch.partition,
        lastOffset,
        heartbeat,
      });
    }
    if (dead.length > 0) await this.options.producer.sendDeadLetters(this.options.deadLetterTopic, dead);
    resolveOffset(lastOffset);
    await commitOffsetsIfNecessary({
      topics: [
        {
          topic: batch.topic,
          partitions: [{ partition: batch.partition, offset: (BigInt(lastOffset) + 1n).toString() }],
        },
      ],
    });
    this.processedBatches += 1;
  }

  /** Stops fetching, lets the batch in hand finish and commit, then leaves the group. */
  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }
}
