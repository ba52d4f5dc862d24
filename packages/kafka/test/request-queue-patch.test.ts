import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';

// The class every kafkajs connection queues its requests in, patched in patches/kafkajs@2.2.4.patch.
const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js');

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
}

const silent = () => ({ debug() {}, info() {}, warn() {}, error() {} });

function queue(): Queue {
  return new RequestQueue({
    instrumentationEmitter: null,
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: '127.0.0.1:9092',
    logger: { namespace: silent },
    isConnected: () => true,
  });
}

let made: Queue | undefined;
afterEach(() => made?.destroy());

describe('kafkajs request queue (patched)', () => {
  it('when nothing is pending, then checking the queue schedules no timer (2.2.4 looped on a 1 ms timer for ever)', () => {
    made = queue();
    made.checkPendingRequests();
    expect(made.throttleCheckTimeoutId).toBeNull();
  });

  it('when a request is pending, then a check is scheduled: after the throttle if throttled, else soon', () => {
    made = queue();
    made.pending.push({});
    made.throttledUntil = Date.now() + 5_000;
    made.scheduleCheckPendingRequests();
    const timer = made.throttleCheckTimeoutId as unknown as { _idleTimeout: number } | null;
    expect(timer).not.toBeNull();
    expect(timer!._idleTimeout).toBeGreaterThan(4_000);
    made.pending.length = 0;
  });
});
