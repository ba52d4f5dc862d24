import { afterEach, describe, expect, it, vi } from 'vitest';
import { WatchCadence } from '../src/domain/watch-cadence.js';

afterEach(() => {
  vi.useRealTimers();
});

function cadence() {
  vi.useFakeTimers();
  return new WatchCadence({ fastMs: 2_000, idleMs: 15_000, watchedForMs: 30_000, now: () => Date.now() });
}

describe('WatchCadence: the console reads the stack fast only while a page watches', () => {
  it('when nobody watches, then reads come every idle interval; once a page asks, every fast interval; 30 s after its last ask, idle again', async () => {
    const pace = cadence();
    let reads = 0;
    const loop = pace.loop(async () => {
      reads++;
    });

    await vi.advanceTimersByTimeAsync(0);
    expect(reads).toBe(1);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(reads).toBe(2);

    pace.watched();
    await vi.advanceTimersByTimeAsync(0);
    expect(reads).toBe(3); // woken at once, not at the end of the idle wait
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reads).toBe(8); // every 2 s

    await vi.advanceTimersByTimeAsync(60_000);
    const settled = reads;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(reads - settled).toBe(2); // every 15 s again
    await loop.stop();
  });

  it('when a page keeps asking, then it does not wake the loop again and reads stay every fast interval', async () => {
    const pace = cadence();
    let reads = 0;
    const loop = pace.loop(async () => {
      reads++;
    });
    pace.watched();
    await vi.advanceTimersByTimeAsync(0);
    const before = reads;
    for (let i = 0; i < 5; i++) {
      pace.watched();
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(reads - before).toBeLessThanOrEqual(3);
    await loop.stop();
  });

  it('when stopped, then no read follows and the stop waits for the read in progress', async () => {
    const pace = cadence();
    let finish!: () => void;
    let reads = 0;
    const loop = pace.loop(
      () =>
        new Promise<void>((resolve) => {
          reads++;
          finish = resolve;
        }),
    );
    await vi.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reads).toBe(1);
  });
});
