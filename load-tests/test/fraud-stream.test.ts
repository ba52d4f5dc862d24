import { loadConfig } from '@mlsys/config';
import { uniqueName } from '@mlsys/testkit';
import { type Consumer, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { percentileMs } from '../src/histogram.js';
import { runLoad } from '../src/run-load.js';
import type { ScenarioDefinition } from '../src/scenario.js';
import fraudStream from '../src/scenarios/fraud-stream.js';

const brokers = inject('infra').kafkaBrokers;
const kafka = new Kafka({ clientId: uniqueName('fraud-stream-test'), brokers, logLevel: logLevel.NOTHING });
const transactionsTopic = uniqueName('lt-transactions');
const decisionsTopic = uniqueName('lt-decisions');

/**
 * A stand-in for the fraud pipeline: decides every transaction it reads,
 * except every 50th, which it loses, and every 25th (not lost), which it decides twice.
 */
let pipeline: { consumer: Consumer; producer: Producer };

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: transactionsTopic, numPartitions: 3 },
      { topic: decisionsTopic, numPartitions: 3 },
    ],
  });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: uniqueName('fake-pipeline'), maxWaitTimeInMs: 20 });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic: transactionsTopic, fromBeginning: true });
  // `run` returns before the group is joined: on a busy broker the join can take seconds, which
  // would eat into the run's drain window and count late decisions as lost.
  const joined = new Promise<void>((resolve) => {
    const stop = consumer.on(consumer.events.GROUP_JOIN, () => {
      stop();
      resolve();
    });
  });
  let seen = 0;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const out: { key: string; value: string }[] = [];
      for (const message of batch.messages) {
        seen += 1;
        if (seen % 50 === 0) continue;
        const t = JSON.parse(String(message.value)) as {
          transactionId: string;
          cardId: string;
          eventTime: number;
        };
        const decision = JSON.stringify({
          transactionId: t.transactionId,
          cardId: t.cardId,
          decision: 'approve',
          score: 0.02,
          reasons: [],
          mode: 'full',
          modelVersion: 'test',
          rulesVersion: 'test',
          eventTime: t.eventTime,
          decidedAt: Date.now(),
        });
        out.push({ key: t.cardId, value: decision });
        if (seen % 25 === 0) out.push({ key: t.cardId, value: decision });
      }
      if (out.length > 0) await producer.send({ topic: decisionsTopic, messages: out });
    },
  });
  await joined;
  pipeline = { consumer, producer };
});

afterAll(async () => {
  await Promise.all([pipeline?.consumer.disconnect(), pipeline?.producer.disconnect()]);
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [transactionsTopic, decisionsTopic] });
  await admin.disconnect();
});

describe('fraud-stream against a real Kafka', () => {
  it('when transactions stream through a pipeline that loses and repeats some decisions, then each is counted', async () => {
    const scenario = fraudStream as ScenarioDefinition;
    const params = loadConfig('fraud-stream', scenario.params, {
      transactionsTopic,
      decisionsTopic,
      // Four decisions are lost on purpose, so the run always waits this long: wide enough for a busy broker.
      drainTimeoutMs: '10000',
    });
    const run = await runLoad({
      scenario,
      options: {
        ...scenario.options,
        scenarios: { transactions: { executor: 'constant-arrival-rate', rate: 100, duration: '2s' } },
      },
      target: brokers.join(','),
      params,
      print: () => {},
    });

    const { recorder } = run;
    // 200 produced: every 50th lost (4), every other 25th decided twice (4).
    expect(recorder.total('iterations')).toBe(200);
    expect(recorder.share('availability')).toBe(1);
    expect(recorder.total('decisions')).toBe(196);
    expect(recorder.total('decisions_lost')).toBe(4);
    expect(recorder.total('decisions_duplicated')).toBe(4);
    expect(recorder.total('decisions_invalid')).toBe(0);
    expect(recorder.share('decision_availability')).toBeCloseTo(0.98, 6);
    expect(recorder.histogram('decision_latency')?.totalCount).toBe(196);
    // Each decision was read after its transaction's event time.
    expect(percentileMs(recorder.histogram('decision_latency'), 50)).toBeGreaterThan(0);
    expect(run.verdicts.find((v) => v.metric === 'decision_availability')?.pass).toBe(false);
  });
});
