import { type Kafka, Partitioners, type Producer, type TopicMessages, type TopicOffsets } from 'kafkajs';
import { withCachedCoordinators } from './coordinator-cache.js';
import { partitionKey } from './partition-buffers.js';
import type { TopicPartition } from './task.js';
import { inRequestsOf } from './transaction-requests.js';

/** First back-off (ms, doubling) while the broker completes the previous transaction. */
export const TRANSACTION_RETRY_MS = 5;
const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);
/** Attempts of a transaction's offsets-only start while the previous transaction completes. */
const CONCURRENT_TRANSACTION_ATTEMPTS = 10;

export interface TransactionalProducerOptions {
  transactionalId: string;
  transactionTimeoutMs: number;
  retryBackoffMs: number;
}

export function createTransactionalProducer(kafka: Kafka, options: TransactionalProducerOptions): Producer {
  return withCachedCoordinators(kafka, () =>
    kafka.producer({
      transactionalId: options.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: options.transactionTimeoutMs,
      // The broker answers a commit before it has written the commit markers, and refuses to add
      // partitions to the next transaction (CONCURRENT_TRANSACTIONS) until it has: a few ms on a
      // local broker. kafkajs retries that with the client's back-off (100 ms), which made most
      // back-to-back transactions wait 100 ms for nothing; a short, doubling back-off waits as
      // long as the markers take. An idempotent producer must retry without a limit (as before).
      retry: {
        initialRetryTime: options.retryBackoffMs,
        retries: Number.MAX_SAFE_INTEGER,
      },
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    }),
  );
}

/** A newer instance with the same transactional id has taken over: retrying cannot help. */
export const isFenced = (error: Error): boolean => FENCED.has((error as { type?: string }).type ?? '');

export interface BatchTransaction {
  groupId: string;
  /** The batch's output and dead letters. */
  batches: readonly TopicMessages[];
  /** The batch's consumed offsets (next offset to read per partition). */
  offsets: TopicOffsets[];
  maxRequestBytes: number;
  retryBackoffMs: number;
}

/**
 * Produces a batch's output and commits its offsets in one transaction, so
 * read-committed consumers see both or neither. `stillOwned` is asked just
 * before the commit: after a rebalance meanwhile the partitions may be
 * someone else's, and the transaction is aborted. Answers whether it committed.
 */
export async function commitBatch(
  producer: Producer,
  batch: BatchTransaction,
  stillOwned: () => boolean,
): Promise<boolean> {
  const transaction = await producer.transaction();
  try {
    // In several requests when large: output keyed like its input lands in one partition, and a
    // partition's record batch over the broker's message.max.bytes (1 MiB) fails the whole batch.
    for (const request of inRequestsOf(batch.batches, batch.maxRequestBytes)) {
      await transaction.sendBatch({ acks: -1, topicMessages: request });
    }
    if (batch.offsets.length > 0) {
      const sendOffsets = () =>
        transaction.sendOffsets({ consumerGroupId: batch.groupId, topics: batch.offsets });
      // With no output before them, the offsets open the transaction, and kafkajs does not
      // retry the broker's CONCURRENT_TRANSACTIONS there: the batch would fail and restore.
      await (batch.batches.length > 0
        ? sendOffsets()
        : whileConcurrentTransaction(sendOffsets, batch.retryBackoffMs));
    }
    if (!stillOwned()) {
      await transaction.abort();
      return false;
    }
    await transaction.commit();
    return true;
  } catch (error) {
    await transaction.abort().catch(() => {});
    throw error;
  }
}

/** Next offset per partition of the batch, only where it moves the `committed` offset (per partition key) forward. */
export function offsetsToCommit(
  entries: ReadonlyArray<TopicPartition & { offset: bigint }>,
  committed: ReadonlyMap<string, bigint>,
): TopicOffsets[] {
  const next = new Map<string, { topic: string; partition: number; offset: bigint }>();
  for (const entry of entries) {
    const key = partitionKey(entry.topic, entry.partition);
    const offset = entry.offset + 1n;
    const current = next.get(key);
    if (!current || offset > current.offset)
      next.set(key, { topic: entry.topic, partition: entry.partition, offset });
  }
  const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const [key, { topic, partition, offset }] of next) {
    if (offset <= (committed.get(key) ?? -1n)) continue;
    const partitions = byTopic.get(topic) ?? [];
    partitions.push({ partition, offset: offset.toString() });
    byTopic.set(topic, partitions);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

/** Runs `attempt` again, with a doubling back-off, while the broker still completes the previous transaction. */
async function whileConcurrentTransaction(attempt: () => Promise<unknown>, backoffMs: number): Promise<void> {
  for (let tries = 1; ; tries++) {
    try {
      await attempt();
      return;
    } catch (error) {
      const concurrent = (error as { type?: string }).type === 'CONCURRENT_TRANSACTIONS';
      if (!concurrent || tries >= CONCURRENT_TRANSACTION_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (tries - 1)));
    }
  }
}
