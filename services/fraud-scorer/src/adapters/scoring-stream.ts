import { compileSchema, EnrichedTransaction } from '@mlsys/contracts';
import type { Kafka, KafkaLogSink } from '@mlsys/kafka';
import { type BatchStats, TransactionalStream } from '@mlsys/kafka/stream';
import type { ScoringTask } from '../domain/scoring-task.js';

export interface ScoringTopics {
  enriched: string;
  decisions: string;
  deadLetters: string;
}

export interface ScoringStreamOptions {
  kafka: Kafka;
  task: ScoringTask;
  topics: ScoringTopics;
  groupId: string;
  transactionalId: string;
  logger: KafkaLogSink;
  maxBatchRecords: number;
  /** Least time between two Kafka transactions (see TransactionalStreamOptions). */
  commitIntervalMs: number;
  minFetchBytes: number;
  /** How long the group waits for a silent member (a crashed instance) before moving its partitions. */
  sessionTimeoutMs: number;
  onBatch?(stats: BatchStats): void;
  onFatal?(error: Error): void;
}

const enrichedSchema = compileSchema(EnrichedTransaction);

/**
 * The scorer's Kafka side: `transactions.enriched` in (arrival order: each
 * decision depends on its own transaction only), `decisions` out, exactly
 * once, so a transaction never gets two decisions, even across a crash.
 */
export function createScoringStream(options: ScoringStreamOptions): TransactionalStream<EnrichedTransaction> {
  return new TransactionalStream<EnrichedTransaction>({
    kafka: options.kafka,
    groupId: options.groupId,
    transactionalId: options.transactionalId,
    topics: [options.topics.enriched],
    decode: (_topic, value) => enrichedSchema.decodeJson(value),
    deadLetterTopic: options.topics.deadLetters,
    ordering: { kind: 'arrival' },
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
