import type { Clock } from '../../src/clock.js';

/**
 * A clock that moves only when told: `waitUntil` jumps straight to the
 * requested time (plus an optional oversleep, to play a busy generator),
 * so the scheduler's decisions can be checked to the millisecond.
 */
export class VirtualClock implements Clock {
  private t = 0;

  constructor(private readonly oversleepMs: (at: number) => number = () => 0) {}

  now(): number {
    return this.t;
  }

  async waitUntil(at: number): Promise<void> {
    // Time moves only once everything already runnable has run, as on a real event loop.
    await new Promise((resolve) => setImmediate(resolve));
    this.t = Math.max(this.t, at + this.oversleepMs(at));
  }

  async yield(): Promise<void> {}

  advanceTo(at: number): void {
    this.t = Math.max(this.t, at);
  }
}
