import { compileSchema, Decision } from '@mlsys/contracts';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import type { WorkloadContext } from '../scenario.js';

const decisionSchema = compileSchema(Decision);

export interface DecisionFeedParams {
  decisionsTopic: string;
  joinTimeoutMs: number;
}

/**
 * Reads the `decisions` topic from its end at open (read committed, as
 * txn-api reads it), handing each valid decision's transaction id to
 * `onDecision`: the record every accepted transaction must appear in exactly
 * once. `GET /v1/decisions/:id` cannot show a duplicate (Redis keeps the
 * last one), so the topic is what is reconciled.
 */
export async function openKafkaDecisionFeed(
  onDecision: (transactionId: string) => void,
  context: WorkloadContext<DecisionFeedParams>,
): Promise<{ close(): Promise<void> }> {
  const { params, runId, metrics } = context;
  const brokers = (context.targets?.kafka ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
  const kafka = new Kafka({
    clientId: `load-tests-${runId}`,
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 3, initialRetryTime: 300 },
  });
  const admin = kafka.admin();
  let consumer: Consumer | undefined;
  const close = async () => {
    await Promise.allSettled([admin.disconnect(), consumer?.disconnect()]);
  };
  try {
    let endOffsets: Awaited<ReturnType<typeof admin.fetchTopicOffsets>>;
    try {
      await admin.connect();
      endOffsets = await admin.fetchTopicOffsets(params.decisionsTopic);
    } catch (error) {
      throw new Error(
        `cannot read the "${params.decisionsTopic}" topic at ${brokers.join(',')} (${(error as Error).message}): ` +
          'start the stack with `npm start`, set KAFKA_BROKERS, or skip the reconciliation with --param reconcile=none',
      );
    }
    consumer = kafka.consumer({
      groupId: `load-tests-${runId}`,
      maxWaitTimeInMs: 50,
      readUncommitted: false,
      maxBytesPerPartition: 64 * 1024,
      maxBytes: 256 * 1024,
    });
    await consumer.connect();
    await consumer.subscribe({ topic: params.decisionsTopic, fromBeginning: false });
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`the decisions consumer did not join its group within ${params.joinTimeoutMs} ms`),
          ),
        params.joinTimeoutMs,
      );
      const stop = consumer?.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        stop?.();
        resolve();
      });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      metrics.errorReason(`decisions consumer crashed: ${payload.error.message}`);
    });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const decoded = decisionSchema.decodeJson(message.value);
          if (!decoded.ok) {
            metrics.count('decisions_invalid');
            continue;
          }
          onDecision(decoded.value.transactionId);
        }
      },
    });
    for (const { partition, offset } of endOffsets)
      consumer.seek({ topic: params.decisionsTopic, partition, offset });
    await joined;
    return { close };
  } catch (error) {
    await close();
    throw error;
  }
}
