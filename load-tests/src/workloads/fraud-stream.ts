import type { ConfigOf } from '@mlsys/config';
import { Topics, type Transaction } from '@mlsys/contracts';
import { type Admin, type Consumer, Partitioners, type Producer } from 'kafkajs';
import { param } from '../params.js';
import type { Workload, WorkloadContext } from '../scenario.js';
import { BatchingProducer } from './batching-producer.js';
import { DecisionTracker } from './decision-tracker.js';
import { loadTestKafka, readDecisionsFromEnd } from './kafka-decision-feed.js';
import { transactionMix, transactionParams } from './transactions.js';

export const fraudStreamParams = {
  ...transactionParams,
  transactionsTopic: param.string({
    description: 'topic the transactions go to',
    default: Topics.transactions.name,
  }),
  decisionsTopic: param.string({
    description: 'topic the decisions are read from',
    default: Topics.decisions.name,
  }),
  lingerMs: param.int({
    description: 'how long a transaction may wait to share a produce batch',
    default: 5,
    min: 0,
  }),
  maxBatch: param.int({ description: 'most transactions per produce batch', default: 500, min: 1 }),
  drainTimeoutMs: param.int({
    description: 'how long to wait for the last decisions once producing stops; later ones count as lost',
    default: 10_000,
    min: 0,
  }),
  joinTimeoutMs: param.int({
    description: 'how long the decisions consumer may take to join its group',
    default: 30_000,
    min: 1,
  }),
};

/** Metrics the stream scenario records beyond the built-in ones. */
export const fraudStreamMetrics = {
  /** From the transaction's event time (its scheduled start) to reading its decision. */
  decision_latency: 'trend',
  /** Distinct transactions of this run that got a decision. */
  decisions: 'counter',
  decisions_lost: 'counter',
  decisions_duplicated: 'counter',
  /** Decisions on the topic that do not match the contract. */
  decisions_invalid: 'counter',
  /** Share of produced transactions that were decided before the drain timeout. */
  decision_availability: 'rate',
} as const;

type Params = ConfigOf<typeof fraudStreamParams>;

async function requireTopics(admin: Admin, brokers: string[], needed: string[]): Promise<void> {
  let topics: string[];
  try {
    await admin.connect();
    topics = await admin.listTopics();
  } catch (error) {
    throw new Error(
      `cannot reach Kafka at ${brokers.join(',')} (${(error as Error).message}): start the stack with \`npm start\`, ` +
        'or give the brokers with --target host:port[,host:port]',
    );
  }
  for (const topic of needed) {
    if (!topics.includes(topic)) {
      throw new Error(
        `Kafka has no topic "${topic}": start the fraud pipeline (npm start), which creates its topics, ` +
          'or name the topics with --param transactionsTopic=... --param decisionsTopic=...',
      );
    }
  }
}

/**
 * Produces transactions straight into `transactions` (keyed by card, in
 * batches) and reads `decisions` back. Decision latency is the time the
 * decision is read minus the transaction's event time, which is its
 * scheduled start, so a pipeline falling behind shows as latency.
 */
export async function openFraudStream(context: WorkloadContext<Params>): Promise<Workload> {
  const { params, runId, metrics } = context;
  const brokers = context.target.split(',').map((b) => b.trim());
  const kafka = loadTestKafka(runId, brokers);
  const admin = kafka.admin();
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  const close = async () => {
    await Promise.allSettled([admin.disconnect(), producer?.disconnect(), consumer?.disconnect()]);
  };
  try {
    await requireTopics(admin, brokers, [params.transactionsTopic, params.decisionsTopic]);
    // Decisions written from now on are this run's (or later); the reader starts there.
    const tracker = new DecisionTracker(`${runId}-`);
    consumer = await readDecisionsFromEnd(kafka, {
      topic: params.decisionsTopic,
      groupId: `load-tests-${runId}`,
      joinTimeoutMs: params.joinTimeoutMs,
      metrics,
      onDecision: (decision, receivedAt) => {
        const verdict = tracker.receive(decision.transactionId);
        if (verdict === 'duplicate') metrics.count('decisions_duplicated');
        if (verdict !== 'first') return;
        metrics.count('decisions');
        const { eventTime } = decision;
        metrics.trend('decision_latency', receivedAt - eventTime, {}, eventTime - context.wallOrigin());
      },
    });

    producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    const connected = producer;
    const batches = new BatchingProducer<Transaction>(
      async (transactions) => {
        await connected.send({
          topic: params.transactionsTopic,
          acks: -1,
          messages: transactions.map((t) => ({ key: t.cardId, value: JSON.stringify(t) })),
        });
      },
      { maxBatch: params.maxBatch, lingerMs: params.lingerMs },
      context.now,
    );
    const nextTransaction = transactionMix(params, runId);
    let seq = 0;

    return {
      exec: {
        default: async (iteration) => {
          const mySeq = seq++;
          const transaction = nextTransaction(mySeq, iteration.scheduledWallTime);
          const sentAt = await batches.add(transaction);
          tracker.markProduced(mySeq);
          return { ok: true, sentAt, tags: { channel: transaction.channel } };
        },
      },
      async drain() {
        batches.flush();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          tracker.settled(),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, params.drainTimeoutMs);
          }),
        ]);
        clearTimeout(timer);
        for (const decided of tracker.outcomes()) metrics.rate('decision_availability', decided);
        metrics.count('decisions_lost', tracker.outstanding());
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
