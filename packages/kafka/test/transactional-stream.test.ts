import { uniqueName } from '@mlsys/testkit';
import { describe, expect, inject, it } from 'vitest';
import { createKafka, ensureTopics, TopicReader } from '../src/index.js';
import { TransactionalStream } from '../src/stream/index.js';

const infra = inject('infra');
const kafka = createKafka({ clientId: 'stream-test', brokers: infra.kafkaBrokers, silent: true });
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('TransactionalStream (real broker)', () => {
  it('when one batch yields more than the broker takes for one partition, then it is produced in several requests of one transaction, each record once', async () => {
    const input = uniqueName('stream-in');
    const output = `${input}.out`;
    await ensureTopics(kafka, [
      { name: input, partitions: 1 },
      { name: output, partitions: 1 },
    ]);
    // 3,000 records of ~600 bytes, each produced twice: a batch carries over 1 MiB (the broker's
    // message.max.bytes) to the one output partition.
    const count = 3000;
    const producer = kafka.producer();
    await producer.connect();
    for (let from = 0; from < count; from += 500) {
      await producer.send({
        topic: input,
        messages: Array.from({ length: 500 }, (_, i) => ({
          key: 'card',
          value: JSON.stringify({ n: from + i, pad: 'x'.repeat(580) }),
        })),
      });
    }
    await producer.disconnect();
    const batches: number[] = [];
    const failures: Error[] = [];
    const stream = new TransactionalStream<{ n: number }>({
      kafka,
      groupId: uniqueName('stream-group'),
      transactionalId: uniqueName('stream-tx'),
      topics: [input],
      decode: (_topic, value) => ({ ok: true, value: JSON.parse(value!.toString('utf8')) }),
      deadLetterTopic: output,
      ordering: { kind: 'arrival' },
      logger: { ...quiet, error: (obj: object) => failures.push(new Error(JSON.stringify(obj))) },
      maxBatchRecords: count,
      task: {
        process: (records) => ({
          // Two outputs per input: one fetch (1 MiB a partition) yields more than one produce may carry.
          messages: [
            {
              topic: output,
              messages: records.flatMap((r) => [
                { key: 'card', value: { ...r.value, copy: 0 } },
                { key: 'card', value: { ...r.value, copy: 1 } },
              ]),
            },
          ],
        }),
      },
      onBatch: (stats) => batches.push(stats.produced),
    });
    const reader = await new TopicReader(kafka, output).start();
    await stream.start();
    try {
      const records = await reader.waitFor((seen) => seen.length >= 2 * count);
      const outputs = records.map((r) => JSON.parse(r.value!) as { n: number; copy: number });
      const keys = outputs.map((o) => 2 * o.n + o.copy);
      expect(new Set(keys).size).toBe(2 * count);
      expect(keys).toEqual([...keys].sort((a, b) => a - b));
      expect(failures).toEqual([]);
      expect(Math.max(...batches)).toBeGreaterThan(2000);
    } finally {
      await stream.stop();
      await reader.stop();
    }
  });
});
