import { compileSchema, Decision } from '@mlsys/contracts';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import type { MetricsSink } from '../metrics.js';
import type { WorkloadContext } from '../scenario.js';

const decisionSchema = compileSchema(Decision);

/** The generator's Kafka client: quiet, and failing in seconds when no broker is there. */
export function loadTestKafka(runId: string, brokers: string[]): Kafka {
  return new Kafka({
    clientId: `load-tests-${runId}`,
    brokers,
    // kafkajs logs every retry; what matters reaches the report as an error reason instead.
    logLevel: logLevel.NOTHING,
    // A broker that is not there should fail the run in seconds, not after kafkajs' default minute of retries.
    connectionTimeout: 3000,
    retry: { retries: 3, initialRetryTime: 300 },
  });
}

export interface DecisionReaderOptions {
  topic: string;
  groupId: string;
  joinTimeoutMs: number;
  /** Where invalid decisions (`decisions_invalid`) and a crashed consumer are recorded. */
  metrics: MetricsSink;
  /** Each valid decision, with when its batch was read (ms since the epoch). */
  onDecision(decision: Decision, receivedAt: number): void;
}

/**
 * Reads `topic` from its end as it is when called (read committed, as
 * txn-api reads it) and resolves once the consumer has joined its group, so
 * no decision written after the call is missed or read late.
 */
export async function readDecisionsFromEnd(kafka: Kafka, options: DecisionReaderOptions): Promise<Consumer> {
  const admin = kafka.admin();
  let endOffsets: Awaited<ReturnType<typeof admin.fetchTopicOffsets>>;
  try {
    await admin.connect();
    endOffsets = await admin.fetchTopicOffsets(options.topic);
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({
    groupId: options.groupId,
    maxWaitTimeInMs: 50,
    readUncommitted: false,
    // kafkajs decodes a whole fetch response in one go on the event loop that
    // also keeps the schedule; small fetches keep each of those pauses short.
    maxBytesPerPartition: 64 * 1024,
    maxBytes: 256 * 1024,
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: options.topic, fromBeginning: false });
    const ready = joined(consumer, options.joinTimeoutMs);
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      options.metrics.errorReason(`decisions consumer crashed: ${payload.error.message}`);
    });
    const firstRead = firstReadFilter();
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const receivedAt = Date.now();
        for (const message of batch.messages) {
          if (!firstRead(batch.partition, message.offset)) continue;
          const decoded = decisionSchema.decodeJson(message.value);
          if (decoded.ok) options.onDecision(decoded.value, receivedAt);
          else options.metrics.count('decisions_invalid');
        }
      },
    });
    for (const { partition, offset } of endOffsets)
      consumer.seek({ topic: options.topic, partition, offset });
    await ready;
    return consumer;
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }
}

/**
 * Whether a record is read for the first time. A rebalance (the broker holding the group's
 * coordinator dies, as in the drill) resumes from the last committed offset and reads some
 * records again; the same record twice is not a second decision. Offsets grow within a partition,
 * so the highest one read per partition is enough.
 */
export function firstReadFilter(): (partition: number, offset: string) => boolean {
  const readUpTo = new Map<number, bigint>();
  return (partition, offset) => {
    const at = BigInt(offset);
    if (at <= (readUpTo.get(partition) ?? -1n)) return false;
    readUpTo.set(partition, at);
    return true;
  };
}

/** Resolves when the consumer has joined its group, so no early decision is read late. */
function joined(consumer: Consumer, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the decisions consumer did not join its group within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const stop = consumer.on(consumer.events.GROUP_JOIN, () => {
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

export interface DecisionFeedParams {
  decisionsTopic: string;
  joinTimeoutMs: number;
}

/**
 * fraud-availability's reconciliation feed: every valid decision's
 * transaction id from the `decisions` topic, from its end at open: the
 * record every accepted transaction must appear in exactly once.
 * `GET /v1/decisions/:id` cannot show a duplicate (Redis keeps the last
 * one), so the topic is what is reconciled.
 */
export async function openKafkaDecisionFeed(
  onDecision: (transactionId: string) => void,
  context: WorkloadContext<DecisionFeedParams>,
): Promise<{ close(): Promise<void> }> {
  const { params, runId, metrics } = context;
  const brokers = (context.targets?.kafka ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
  let consumer: Consumer;
  try {
    consumer = await readDecisionsFromEnd(loadTestKafka(runId, brokers), {
      topic: params.decisionsTopic,
      groupId: `load-tests-${runId}`,
      joinTimeoutMs: params.joinTimeoutMs,
      metrics,
      onDecision: (decision) => onDecision(decision.transactionId),
    });
  } catch (error) {
    throw new Error(
      `cannot read the "${params.decisionsTopic}" topic at ${brokers.join(',')} (${(error as Error).message}): ` +
        'start the stack with `npm start`, set KAFKA_BROKERS, or skip the reconciliation with --param reconcile=none',
    );
  }
  return { close: () => consumer.disconnect() };
}
