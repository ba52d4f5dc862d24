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
 * Timers fire a millisecond or more late, so the wait sleeps until about a
 * millisecond before the start is due and covers the rest by yielding to
 * the event loop: starts land within a fraction of a millisecond of schedule
 * without a busy loop that would starve the responses.
 */
export const realClock: Clock = {
  now: () => performance.now(),
  async waitUntil(at) {
    for (let gap = at - performance.now(); gap > 0; gap = at - performance.now()) {
      if (gap > 1.5) await sleep(gap - 1);
      else await nextTurn();
    }
  },
  yield: () => nextTurn(),
};
