import { describe, expect, it } from 'vitest';
import type { OutgoingMessage, RecordPosition } from '../src/producer.js';
import { RecordAppender } from '../src/record-appender.js';

/** A producer whose requests the test answers by hand, numbering each partition's records from 0. */
class HeldProducer {
  readonly requests: Array<{
    messages: Array<OutgoingMessage<unknown> & { partition: number }>;
    answer: () => void;
  }> = [];
  private readonly next = new Map<number, bigint>();
  failNext: Error | undefined;

  sendPlaced<T>(_topic: string, messages: ReadonlyArray<OutgoingMessage<T> & { partition: number }>) {
    return new Promise<RecordPosition[]>((resolve, reject) => {
      const failure = this.failNext;
      this.failNext = undefined;
      this.requests.push({
        messages: [...messages],
        answer: () => {
          if (failure) return reject(failure);
          resolve(
            messages.map(({ partition }) => {
              const offset = this.next.get(partition) ?? 0n;
              this.next.set(partition, offset + 1n);
              return { partition, offset };
            }),
          );
        },
      });
    });
  }
}

const message = (key: string) => ({ key, value: { key } });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('RecordAppender', () => {
  it('when records arrive while a request is out, then they go together in the next one, each told its position', async () => {
    const producer = new HeldProducer();
    const appender = new RecordAppender(producer, 'payments', (key) => (key === 'a' ? 0 : 1));

    const first = appender.append(message('a'));
    const queued = [
      appender.append(message('a')),
      appender.append(message('b')),
      appender.append(message('a')),
    ];
    await tick();
    expect(producer.requests.map((r) => r.messages.length)).toEqual([1]);

    producer.requests[0]!.answer();
    await tick();
    expect(producer.requests.map((r) => r.messages.map((m) => [m.key, m.partition]))).toEqual([
      [['a', 0]],
      [
        ['a', 0],
        ['b', 1],
        ['a', 0],
      ],
    ]);
    producer.requests[1]!.answer();

    expect(await first).toEqual({ partition: 0, offset: 0n });
    expect(await Promise.all(queued)).toEqual([
      { partition: 0, offset: 1n },
      { partition: 1, offset: 0n },
      { partition: 0, offset: 2n },
    ]);
  });

  it('when a request fails, then only its records are rejected and the next records still go', async () => {
    const producer = new HeldProducer();
    const appender = new RecordAppender(producer, 'payments', () => 0);
    producer.failNext = new Error('broker gone');

    const failed = appender.append(message('a'));
    const later = appender.append(message('b'));
    await tick();
    producer.requests[0]!.answer();
    await expect(failed).rejects.toThrow('broker gone');
    await tick();
    producer.requests[1]!.answer();

    expect(await later).toEqual({ partition: 0, offset: 0n });
  });
});
