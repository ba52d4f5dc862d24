import { describe, expect, it } from 'vitest';
import { inRequestsOf } from '../src/stream/transaction-requests.js';

const message = (key: string, bytes: number) => ({ key, value: 'x'.repeat(bytes - key.length) });

describe('inRequestsOf', () => {
  it('when the output fits the limit, then it goes in one request as it is', () => {
    const batches = [
      { topic: 'out', messages: [message('a', 10), message('b', 10)] },
      { topic: 'dlq', messages: [message('c', 10)] },
    ];

    expect(inRequestsOf(batches, 100)).toEqual([batches]);
  });

  it('when the output is over the limit, then it is split into requests under it, every message once and in order', () => {
    const messages = Array.from({ length: 10 }, (_, i) => message(`k${i}`, 30));
    const batches = [
      { topic: 'out', messages },
      { topic: 'dlq', messages: [message('d0', 30)] },
    ];

    const requests = inRequestsOf(batches, 100);

    for (const request of requests) {
      const bytes = request
        .flatMap((b) => b.messages)
        .reduce((sum, m) => sum + String(m.key).length + String(m.value).length, 0);
      expect(bytes).toBeLessThanOrEqual(100);
    }
    const out = requests.flatMap((r) => r.filter((b) => b.topic === 'out').flatMap((b) => b.messages));
    expect(out).toEqual(messages);
    expect(
      requests
        .flat()
        .filter((b) => b.topic === 'dlq')
        .flatMap((b) => b.messages),
    ).toHaveLength(1);
    expect(requests).toHaveLength(4);
  });

  it('when one message alone is over the limit, then it goes in a request of its own', () => {
    const big = message('big', 500);
    const requests = inRequestsOf(
      [{ topic: 'out', messages: [message('a', 10), big, message('b', 10)] }],
      100,
    );

    expect(requests.map((r) => r.flatMap((b) => b.messages.map((m) => m.key)))).toEqual([
      ['a'],
      ['big'],
      ['b'],
    ]);
  });
});
