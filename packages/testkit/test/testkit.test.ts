import { describe, expect, it } from 'vitest';
import { infraFromEnv, uniqueName, waitUntil } from '../src/index.js';

describe('infraFromEnv', () => {
  it('when both variables are set, then brokers are split and trimmed', () => {
    expect(infraFromEnv({ REDIS_URL: 'redis://127.0.0.1:1', KAFKA_BROKERS: 'a:1, b:2' })).toEqual({
      redisUrl: 'redis://127.0.0.1:1',
      kafkaBrokers: ['a:1', 'b:2'],
      source: 'env',
    });
  });

  it('when either variable is missing, then the environment does not provide the infra', () => {
    expect(infraFromEnv({ REDIS_URL: 'redis://127.0.0.1:1' })).toBeUndefined();
    expect(infraFromEnv({ KAFKA_BROKERS: 'a:1' })).toBeUndefined();
  });
});

describe('waitUntil', () => {
  it('when the condition becomes true, then it resolves with the value seen', async () => {
    let calls = 0;
    const value = await waitUntil(() => (++calls >= 3 ? `call ${calls}` : undefined), { intervalMs: 1 });
    expect(value).toBe('call 3');
  });

  it('when the condition never holds, then it fails naming what it waited for and the last error', async () => {
    await expect(
      waitUntil(
        () => {
          throw new Error('still down');
        },
        { timeoutMs: 30, intervalMs: 5, what: 'the broker' },
      ),
    ).rejects.toThrow(/waiting for the broker \(last error: still down\)/);
  });
});

describe('uniqueName', () => {
  it('when called twice with one prefix, then the names differ', () => {
    expect(uniqueName('t')).not.toBe(uniqueName('t'));
    expect(uniqueName('topic')).toMatch(/^topic-[0-9a-f]{8}$/);
  });
});
