// What a transactional stream is configured with and reports per batch.
import type { Decoded } from '@mlsys/contracts';
import type { Kafka } from 'kafkajs';
import type { KafkaLogSink } from '../client.js';
import type { RecordOrder } from './partition-buffers.js';
import type { StreamRecord, StreamTask } from './task.js';

export interface BatchStats {
  records: number;
  replayed: number;
  deadLetters: number;
  produced: number;
  /** Time in the task's `process` (ms). */
  processMs: number;
  /** Time to produce and commit the Kafka transaction (ms). */
  commitMs: number;
  /** Partitions the event-time merge passed over because they stayed silent too long. */
  forcedReleases: number;
}

export interface TransactionalStreamOptions<T> {
  kafka: Kafka;
  groupId: string;
  /**
   * Stable per instance: a restarted instance with the same id fences its
   * dead predecessor and aborts the transaction it left open at once.
   */
  transactionalId: string;
  topics: string[];
  decode(topic: string, value: Buffer | null): Decoded<T>;
  deadLetterTopic: string;
  ordering: RecordOrder<StreamRecord<T>>;
  task: StreamTask<T>;
  logger: KafkaLogSink;
  /** Most records per transaction. */
  maxBatchRecords?: number;
  /** A partition with this many records waiting is paused until the task catches up. */
  maxBufferedPerPartition?: number;
  /** Bounds the broker's wait on a quiet stream (and so the latency of a trickle). */
  maxWaitTimeMs?: number;
  /**
   * The broker holds a fetch until this many bytes are there (or `maxWaitTimeMs` passes): at a
   * trickle, one fetch a wait instead of one per record.
   */
  minFetchBytes?: number;
  /**
   * Least time from one batch's start to the next (Kafka Streams' commit.interval.ms): a
   * transaction costs the same few requests whatever it holds, so a stream nobody waits on
   * gathers a batch rather than committing every record alone. 0: as fast as records come.
   */
  commitIntervalMs?: number;
  sessionTimeoutMs?: number;
  /** How long a transaction left open by a dead instance blocks read-committed consumers at most. */
  transactionTimeoutMs?: number;
  /**
   * First back-off (ms, doubling) when the broker is still finishing the previous transaction
   * (CONCURRENT_TRANSACTIONS) or a produce fails transiently.
   */
  retryBackoffMs?: number;
  /**
   * Most key and value bytes per produce request of a transaction (default 768 KiB): under the
   * broker's 1 MiB message.max.bytes with room for record overhead, whatever the partitioning.
   */
  maxRequestBytes?: number;
  onBatch?(stats: BatchStats): void;
  /** The stream stopped for good (fenced by a newer instance, or failing repeatedly). */
  onFatal?(error: Error): void;
}
