import { Chargeback, compileSchema, type Decoded, Transaction } from '@mlsys/contracts';
import type { KafkaLogSink } from '@mlsys/kafka';
import { type BatchStats, TransactionalStream } from '@mlsys/kafka/stream';
import type { Kafka } from 'kafkajs';
import { type EngineEvent, effectiveTime, tieRank } from '../domain/events.js';
import type { FeatureTask } from '../domain/feature-task.js';

export interface FeatureTopics {
  transactions: string;
  chargebacks: string;
  enriched: string;
  deadLetters: string;
}

export interface FeatureStreamOptions {
  kafka: Kafka;
  task: FeatureTask;
  topics: FeatureTopics;
  groupId: string;
  transactionalId: string;
  logger: KafkaLogSink;
  /** How long a silent partition may hold the event-time merge back. */
  maxAlignWaitMs: number;
  maxBatchRecords: number;
  /** Least time between two Kafka transactions (see TransactionalStreamOptions). */
  commitIntervalMs: number;
  minFetchBytes: number;
  /** How long the group waits for a silent member (a crashed instance) before moving its partitions. */
  sessionTimeoutMs: number;
  onBatch?(stats: BatchStats): void;
  onFatal?(error: Error): void;
}

const transactionSchema = compileSchema(Transaction);
const chargebackSchema = compileSchema(Chargeback);

/** Decodes each topic with its own schema into the one event type the engine consumes. */
export function decodeEngineEvent(topics: FeatureTopics) {
  return (topic: string, value: Buffer | null): Decoded<EngineEvent> => {
    if (topic === topics.chargebacks) {
      const decoded = chargebackSchema.decodeJson(value);
      return decoded.ok ? { ok: true, value: { kind: 'chargeback', chargeback: decoded.value } } : decoded;
    }
    const decoded = transactionSchema.decodeJson(value);
    return decoded.ok ? { ok: true, value: { kind: 'transaction', transaction: decoded.value } } : decoded;
  };
}

/**
 * The feature engine's Kafka side: `transactions` and `chargebacks` merged
 * in event time into the task, `transactions.enriched` out, exactly once.
 */
export function createFeatureStream(options: FeatureStreamOptions): TransactionalStream<EngineEvent> {
  const { topics } = options;
  return new TransactionalStream<EngineEvent>({
    kafka: options.kafka,
    groupId: options.groupId,
    transactionalId: options.transactionalId,
    topics: [topics.transactions, topics.chargebacks],
    decode: decodeEngineEvent(topics),
    deadLetterTopic: topics.deadLetters,
    ordering: {
      kind: 'event-time',
      timeOf: (record) => effectiveTime(record.value),
      rankOf: (record) => tieRank(record.value),
      maxWaitMs: options.maxAlignWaitMs,
    },
    task: options.task,
    logger: options.logger,
    maxBatchRecords: options.maxBatchRecords,
    commitIntervalMs: options.commitIntervalMs,
    minFetchBytes: options.minFetchBytes,
    sessionTimeoutMs: options.sessionTimeoutMs,
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
    ...(options.onFatal ? { onFatal: options.onFatal } : {}),
  });
}
