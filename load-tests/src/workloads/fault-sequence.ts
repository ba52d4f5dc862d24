import type { FaultStep, InjectedFault, RecoveryReading } from '../faults/ha-steps.js';

/**
 * Faults one after another, each after the stack recovered from the last:
 * inject, then poll an observable recovery condition until it holds or a
 * timeout passes, then let the stack settle and go on. A fault that is
 * refused, fails or does not recover is recorded and the sequence goes on,
 * so one stuck fault does not hide the others. Steps marked `restores`
 * (restarting the killed servers) still run when the schedule ends first,
 * so a run never leaves the stack with a server down.
 */

export type { FaultStep, InjectedFault, RecoveryReading };

export interface FaultRecord {
  id: string;
  target?: string;
  /** Seconds into the measured run. */
  injected_at_s?: number;
  recovered_at_s?: number;
  /** From the injection to the first reading that held. */
  recovery_s?: number;
  /** What the last recovery reading saw. */
  state?: string;
  outcome: 'recovered' | 'not recovered' | 'refused' | 'skipped';
  reason?: string;
  /** Injected after the schedule ended (a restoring step). */
  after_schedule?: boolean;
}

export interface SequencePlan {
  /** When the first fault goes in, ms into the run. */
  firstAtMs: number;
  /** Quiet time after a recovery before the next fault, so each one's effect stands alone in the plots. */
  settleMs: number;
  pollMs: number;
  recoveryTimeoutMs: number;
}

export interface SequenceClock {
  /** ms since the run started. */
  now(): number;
}

export class FaultSequence {
  readonly records: FaultRecord[] = [];
  private scheduleOver = false;
  private closed = false;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly steps: readonly FaultStep[],
    private readonly plan: SequencePlan,
    private readonly clock: SequenceClock,
    private readonly onEvent: (line: string) => void = () => {},
  ) {}

  /** Starts the sequence (once); the first fault waits for `firstAtMs`. */
  start(): void {
    this.running ??= this.run();
  }

  /** The schedule is over: no new fault, but the current one is waited for and restoring steps run. */
  async finish(): Promise<void> {
    this.scheduleOver = true;
    this.wake?.();
    this.start();
    await this.running;
  }

  /** Stops everything, waiting for nothing more (the run was abandoned). */
  close(): void {
    this.closed = true;
    this.scheduleOver = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    await this.pauseUntil(this.plan.firstAtMs);
    for (const step of this.steps) {
      if (this.closed) break;
      if (this.scheduleOver) {
        if (!step.restores || !(await step.restores.needed())) {
          this.records.push({ id: step.id, outcome: 'skipped', reason: 'the schedule ended first' });
          continue;
        }
      }
      await this.runStep(step);
      if (!this.scheduleOver) await this.pauseUntil(this.clock.now() + this.plan.settleMs);
    }
  }

  private async runStep(step: FaultStep): Promise<void> {
    const record: FaultRecord = { id: step.id, outcome: 'refused' };
    if (this.scheduleOver) record.after_schedule = true;
    this.records.push(record);
    const at = this.clock.now();
    let injected: InjectedFault;
    try {
      injected = await step.inject();
    } catch (error) {
      record.reason = (error as Error).message;
      this.onEvent(`fault ${step.id} not injected: ${record.reason}`);
      return;
    }
    record.target = injected.target;
    record.injected_at_s = round1(at / 1000);
    record.outcome = 'not recovered';
    this.onEvent(`fault ${step.id}: ${injected.target} at ${record.injected_at_s} s`);
    const deadline = this.clock.now() + this.plan.recoveryTimeoutMs;
    while (!this.closed) {
      let reading: RecoveryReading;
      try {
        reading = await injected.recovery();
      } catch (error) {
        reading = { recovered: false, state: (error as Error).message };
      }
      record.state = reading.state;
      if (reading.recovered) {
        const now = this.clock.now();
        record.outcome = 'recovered';
        record.recovered_at_s = round1(now / 1000);
        record.recovery_s = round1((now - at) / 1000);
        this.onEvent(`fault ${step.id}: recovered after ${record.recovery_s} s (${reading.state})`);
        return;
      }
      if (this.clock.now() >= deadline) break;
      await this.pause(this.plan.pollMs);
    }
    record.reason = `not recovered within ${this.plan.recoveryTimeoutMs / 1000} s; last seen: ${record.state}`;
    this.onEvent(`fault ${step.id}: ${record.reason}`);
  }

  /** Waits until the run clock reaches `atMs`, or less when the schedule ends. */
  private async pauseUntil(atMs: number): Promise<void> {
    while (!this.scheduleOver && this.clock.now() < atMs)
      await this.pause(Math.min(1000, atMs - this.clock.now()));
  }

  /** A timer wait the end of the schedule cuts short (polling waits on a real condition, not on time). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

const round1 = (v: number) => Math.round(v * 10) / 10;
