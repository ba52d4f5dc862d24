import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

/** Time as the runner sees it; tests swap in a virtual clock to check the schedule exactly. */
export interface Clock {
  /** Milliseconds from an arbitrary origin, monotonic. */
  now(): number;
  /** Resolves at (or just after) `at`. */
  waitUntil(at: number): Promise<void>;
  /** Lets pending I/O run before continuing. */
  yield(): Promise<void>;
}

/**
 * Waits with timers only. A timer wakes up to about a millisecond late, and
 * the runner then starts everything that has come due in one go; spinning
 * on the event loop for sub-millisecond precision would cost the generator a
 * whole core at 1,000 starts a second. The start delay is measured and
 * reported, and counted in the latency from the scheduled start.
 */
export const realClock: Clock = {
  now: () => performance.now(),
  async waitUntil(at) {
    for (let gap = at - performance.now(); gap > 0; gap = at - performance.now()) await sleep(Math.ceil(gap));
  },
  yield: () => nextTurn(),
};
