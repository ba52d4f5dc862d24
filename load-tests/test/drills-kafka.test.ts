import { Chargeback, compileSchema } from '@mlsys/contracts';
import { uniqueName } from '@mlsys/testkit';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { produceChargebacks } from '../src/drills/late-labels.js';

const brokers = inject('infra').kafkaBrokers;
const kafka = new Kafka({ clientId: uniqueName('drills-test'), brokers, logLevel: logLevel.NOTHING });
const topic = uniqueName('drill-chargebacks');
/** The contract the monitor validates every consumed chargeback against. */
const chargebackSchema = compileSchema(Chargeback);

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] });
  await admin.disconnect();
});

afterAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
});

describe('late-labels chargebacks on a real Kafka', () => {
  it('when the drill releases chargebacks, then each lands once, keyed by its card, as the monitor reads them', async () => {
    const chargebacks: Chargeback[] = ['a', 'b', 'c'].map((id, i) => ({
      transactionId: `tx-${id}`,
      cardId: `card-${id}`,
      eventTime: 1_700_000_000_000 + i,
      reportedAt: 1_700_000_001_000,
    }));
    await produceChargebacks(brokers.join(','), chargebacks, topic);
    await produceChargebacks(brokers.join(','), [], topic);

    const consumer = kafka.consumer({ groupId: uniqueName('drills-test-reader'), maxWaitTimeInMs: 50 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const read: Array<{ key: string; value: Chargeback; timestamp: string }> = [];
    const invalid: string[] = [];
    const all = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const decoded = chargebackSchema.decodeJson(message.value);
          if (!decoded.ok) invalid.push(String(message.value));
          else read.push({ key: String(message.key), value: decoded.value, timestamp: message.timestamp });
          if (read.length + invalid.length === chargebacks.length) resolve();
        },
      });
    });
    await all;
    await consumer.disconnect();
    const byId = new Map(read.map((r) => [r.value.transactionId, r]));
    expect(invalid).toEqual([]);
    expect(read).toHaveLength(3);
    for (const chargeback of chargebacks) {
      const message = byId.get(chargeback.transactionId);
      expect(message?.value).toEqual(chargeback);
      expect(message?.key).toBe(chargeback.cardId);
      expect(message?.timestamp).toBe(String(chargeback.reportedAt));
    }
  }, 60_000);
});
