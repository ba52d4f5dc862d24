// The fraud stream bench's parts that talk to Kafka and Redis, on the servers the testkit's global
// setup resolves (a missing server fails the run, naming it; nothing is skipped).
import type { Transaction } from '@mlsys/contracts';
import { createKafka, ensureTopics } from '@mlsys/kafka';
import { closeRedis, connectRedis, createRedis, unlinkMatching } from '@mlsys/redis';
import { uniqueName } from '@mlsys/testkit';
import { Partitioners } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { DecisionReader } from '../src/fraud/decision-reader.js';
import { startHop } from '../src/fraud/passthrough/hop.js';
import { luaPerTransaction } from '../src/fraud/redis-lua-design.js';
import { deleteRun } from '../src/stack/infra.js';

const infra = inject('infra');

const payment = (transactionId: string, eventTime: number, amount = 10): Transaction =>
  ({ transactionId, eventTime, cardId: 'card-1', terminalId: 'term-1', amount }) as Transaction;

describe('fraud bench on Kafka and Redis', () => {
  it('when payments go through a plain pass-through hop, then the reader sees each once with its event time', async () => {
    const kafka = createKafka({ clientId: 'bench-fraud-test', brokers: infra.kafkaBrokers, silent: true });
    const run = uniqueName('bench-test');
    const [from, to] = [`${run}.in`, `${run}.out`];
    await ensureTopics(kafka, [
      { name: from, partitions: 2 },
      { name: to, partitions: 2 },
    ]);
    const stopHop = await startHop({
      delivery: 'plain',
      brokers: infra.kafkaBrokers,
      from,
      to,
      groupId: `${run}.hop`,
      onReady: () => {},
    });
    const reader = await DecisionReader.start(kafka, to, run);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      const sent = [payment(`${run}-1`, 1000), payment(`${run}-2`, 2000), payment(`${run}-3`, 3000)];
      await producer.send({
        topic: from,
        messages: sent.map((p) => ({ key: p.cardId, value: JSON.stringify(p) })),
      });
      expect(await reader.waitForAll(3, Date.now() + 30_000)).toBe('complete');
      expect([...reader.firstSeen].map(([id, { eventTime }]) => [id, eventTime]).sort()).toEqual([
        [`${run}-1`, 1000],
        [`${run}-2`, 2000],
        [`${run}-3`, 3000],
      ]);
      expect(reader.duplicates).toBe(0);
      // Past its deadline with decisions missing but not stalled: a backlog, answered at once.
      expect(await reader.waitForAll(4, Date.now() - 1)).toBe('deadline');
    } finally {
      await producer.disconnect();
      await reader.stop();
      await stopHop();
      await deleteRun(kafka, infra.redisUrl, [from, to], `${run}:*`);
    }
  });

  it("when a card pays three times, then the Lua design counts and sums them in each of the card's windows", async () => {
    const redis = createRedis({ url: infra.redisUrl });
    await connectRedis(redis, infra.redisUrl);
    const namespace = uniqueName('bench-test');
    try {
      const t = 1_800_000_000_000;
      const done = await luaPerTransaction(redis, namespace, [
        payment('a', t, 1),
        payment('b', t + 1, 2.5),
        payment('c', t + 2, 4),
      ]);
      expect(done).toBe(3);
      const minuteBucket = Math.floor(t / 60_000);
      expect(await redis.hgetall(`${namespace}:card:card-1:60000`)).toEqual({
        [`c${minuteBucket}`]: '3',
        [`s${minuteBucket}`]: '750',
      });
      expect(
        await redis.exists(`${namespace}:card:card-1:3600000`, `${namespace}:terminal:term-1:900000`),
      ).toBe(2);
    } finally {
      await unlinkMatching(redis, `${namespace}:*`);
      await closeRedis(redis);
    }
  });
});
