import {
  type FaultStep,
  faultById,
  haFaultDeps,
  haFaultSteps,
  KILLABLE_SERVICES,
  KillRefused,
  killFaultId,
  killService,
  type ProcessControl,
  RESTART_SERVERS,
  type RunningThrottle,
  type StackLayout,
  systemProcessControl,
  THROTTLABLE_SERVICES,
  THROTTLE_CYCLE,
  throttleFaultId,
  throttleService,
} from '@mlsys/load-tests/faults';
import { HttpError } from '@mlsys/service-kit';
import type { FaultOutcome } from '../app.js';
import type { TrafficRunner } from './traffic-runner.js';

export interface FaultTargets {
  /** The checkout `npm start` runs the stack from: its pid files and entry points (the kill faults). */
  stack: StackLayout;
  /** Sends one command to the stack's Redis (the console's own client). */
  redisCommand: (command: string, ...args: string[]) => Promise<unknown>;
  traffic: TrafficRunner;
  /** Signals and command lines (the kill and the throttle); the operating system's unless a test gives a stand-in. */
  control?: ProcessControl;
  /** The `ha` profile's fault `id` as a step (the drill's own code); the real stack's unless a test gives one. */
  haStep?: (id: string) => FaultStep;
}

/** Injects the faults of the shared list (`load-tests/src/faults/catalog.ts`); a timed one undoes itself after its seconds. */
export class FaultInjector {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly throttles = new Map<string, RunningThrottle>();
  /** Services with a throttle starting or running: one at a time each. */
  private readonly throttled = new Set<string>();

  constructor(private readonly targets: FaultTargets) {}

  async inject(request: { fault: string; seconds?: number }): Promise<FaultOutcome> {
    const spec = faultById(request.fault);
    if (!spec)
      throw new HttpError(400, 'invalid_request', `no fault "${request.fault}" in the console's list`);
    const seconds = request.seconds ?? 5;
    const killed = KILLABLE_SERVICES.find((service) => killFaultId(service) === spec.id);
    if (killed) {
      try {
        const target = await killService(killed, this.targets.stack, this.control);
        return { fault: spec.id, message: `${killed} (pid ${target.pid}) killed; npm start restarts it` };
      } catch (error) {
        if (error instanceof KillRefused) throw new HttpError(409, 'refused', error.message);
        throw error;
      }
    }
    const throttled = THROTTLABLE_SERVICES.find((service) => throttleFaultId(service) === spec.id);
    if (throttled) return this.throttle(throttled, seconds);
    if (spec.profile === 'ha') return this.haFault(spec.id);
    switch (spec.id) {
      case 'pause-redis':
        await this.targets.redisCommand('CLIENT', 'PAUSE', String(seconds * 1000), 'ALL');
        return { fault: spec.id, message: `Redis paused for ${seconds} s` };
      case 'stop-chargebacks':
        this.targets.traffic.update({ chargebacks: false });
        return { fault: spec.id, message: 'the demo traffic withholds its chargebacks' };
      case 'resume-chargebacks':
        this.targets.traffic.update({ chargebacks: true });
        return { fault: spec.id, message: 'the demo traffic reports its chargebacks again' };
      case 'inject-drift': {
        this.targets.traffic.update({ amountFactor: 3 });
        this.later(seconds, () => this.targets.traffic.update({ amountFactor: 1 }));
        return { fault: spec.id, message: `demo payment amounts tripled for ${seconds} s` };
      }
      default:
        throw new HttpError(400, 'invalid_request', `fault "${spec.id}" has no injector`);
    }
  }

  /** Cancels pending undo steps and thaws a throttled stage (shutdown): nothing is left frozen. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.throttles.values()].map((throttle) => throttle.stop()));
  }

  private get control(): ProcessControl {
    return this.targets.control ?? systemProcessControl;
  }

  private async throttle(service: string, seconds: number): Promise<FaultOutcome> {
    const id = throttleFaultId(service);
    if (this.throttled.has(service))
      throw new HttpError(409, 'refused', `${service} is being slowed down already; wait until it ends`);
    this.throttled.add(service);
    let running: RunningThrottle;
    try {
      running = await throttleService(service, this.targets.stack, this.control, {
        ...THROTTLE_CYCLE,
        durationMs: seconds * 1000,
      });
    } catch (error) {
      this.throttled.delete(service);
      if (error instanceof KillRefused) throw new HttpError(409, 'refused', error.message);
      throw error;
    }
    this.throttles.set(service, running);
    void running.done.finally(() => {
      this.throttles.delete(service);
      this.throttled.delete(service);
    });
    return {
      fault: id,
      message: `${service} (pid ${running.pid}) frozen ${THROTTLE_CYCLE.freezeMs} ms of every ${THROTTLE_CYCLE.periodMs} ms for ${seconds} s`,
    };
  }

  /**
   * One of the `ha` profile's faults, through the load runner drill's own step: its checks first
   * (a stack without the ha profile, a missing pid file or a command line that is not the expected
   * program is refused with 409 and the reason), then the fault. The topology shows the rest.
   */
  private async haFault(id: string): Promise<FaultOutcome> {
    let step: FaultStep;
    try {
      step =
        this.targets.haStep?.(id) ??
        (haFaultSteps([id], 1, haFaultDeps({ root: this.targets.stack.root }))[0] as FaultStep);
      // The drill refuses to start with a server already down; from the page, bringing back what an
      // earlier button took down is the restart's whole point.
      if (id !== RESTART_SERVERS) await step.check();
    } catch (error) {
      if (error instanceof KillRefused) throw new HttpError(409, 'refused', error.message);
      throw error;
    }
    const injected = await step.inject();
    return { fault: id, message: `${injected.target}: done; the topology shows the stack's answer` };
  }

  private later(seconds: number, undo: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      undo();
    }, seconds * 1000);
    this.timers.add(timer);
  }
}
