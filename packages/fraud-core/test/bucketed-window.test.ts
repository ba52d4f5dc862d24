import { describe, expect, it } from 'vitest';
import { BucketedWindow } from '../src/bucketed-window.js';
import { MINUTE_MS } from '../src/time.js';
import type { WindowSpec } from '../src/windows.js';

// 10-minute window of 1-minute buckets; times are minutes since an arbitrary start.
const spec: WindowSpec = { name: '1h', spanMs: 10 * MINUTE_MS, bucketMs: MINUTE_MS };
const at = (minutes: number) => 1_700_000_000_000 - (1_700_000_000_000 % MINUTE_MS) + minutes * MINUTE_MS;

describe('BucketedWindow', () => {
  it('when events fall in the current and earlier buckets, then count and sum cover the window including the newest', () => {
    const window = new BucketedWindow(spec);
    window.add(at(0), 100);
    window.add(at(0) + 30_000, 250);
    window.add(at(5), 1_000);
    expect(window.countAt(at(5))).toBe(3);
    expect(window.centsAt(at(5))).toBe(1_350);
  });

  it('when the oldest bucket is exactly one span behind the read, then it has expired and no longer counts', () => {
    const window = new BucketedWindow(spec);
    window.add(at(0), 100);
    window.add(at(9), 200);
    expect(window.countAt(at(9))).toBe(2); // bucket 0 is the 10th bucket back: still inside
    window.add(at(10), 400);
    expect(window.countAt(at(10))).toBe(2); // bucket 0 is now 11 buckets back
    expect(window.centsAt(at(10))).toBe(600);
  });

  it('when read later than the newest event, then only the buckets still inside the window count', () => {
    const window = new BucketedWindow(spec);
    window.add(at(0), 100);
    window.add(at(6), 200);
    expect(window.countAt(at(12))).toBe(1);
    expect(window.centsAt(at(20))).toBe(0);
  });

  it('when an event arrives late but inside the window, then it lands in its own bucket and later reads see it', () => {
    const window = new BucketedWindow(spec);
    window.add(at(0), 100);
    window.add(at(8), 200);
    window.add(at(3), 50);
    expect(window.countAt(at(8))).toBe(3);
    expect(window.countAt(at(12))).toBe(2); // bucket 0 expired, 3 and 8 remain
    expect(window.centsAt(at(3))).toBe(150); // as of minute 3: buckets 0 and 3
  });

  it('when an event is older than the window, then it is ignored', () => {
    const window = new BucketedWindow(spec);
    window.add(at(20), 100);
    window.add(at(5), 999);
    expect(window.countAt(at(20))).toBe(1);
    expect(window.toJSON()).toHaveLength(3);
  });

  it('when restored from its JSON, then it answers every read like the original', () => {
    const window = new BucketedWindow(spec);
    for (const [minute, cents] of [
      [0, 5],
      [2, 7],
      [2, 11],
      [9, 13],
    ] as const)
      window.add(at(minute), cents);
    const restored = BucketedWindow.fromJSON(spec, JSON.parse(JSON.stringify(window.toJSON())));
    for (const minute of [0, 2, 9, 11, 15]) {
      expect([restored.countAt(at(minute)), restored.centsAt(at(minute))]).toEqual([
        window.countAt(at(minute)),
        window.centsAt(at(minute)),
      ]);
    }
  });
});
