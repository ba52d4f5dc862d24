import { findServiceProcess, type ProcessControl, type StackLayout } from './kill-service.js';

/**
 * Latency at one stage without touching how the stack is wired: the stage's
 * process is frozen (SIGSTOP) for `freezeMs` of every `periodMs`, then thawed
 * (SIGCONT). That is what a CPU quota does to a container that wants more
 * than its share (Linux CFS throttling): the process is runnable but not run
 * until the next period. A request that reaches the stage while it is frozen
 * waits in the socket until it thaws, so its caller sees the wait and the
 * stage's own histograms mostly do not (they start timing when the request
 * is read). The same pid-file and command-line checks as the kill guard the
 * signals, the command line is checked again before every freeze, and the
 * process is always left thawed: at the end, when stopped early, and when a
 * signal fails.
 */

/** The stages that may be throttled: a recs stage the gateway calls under a deadline, with a fallback. */
export const THROTTLABLE_SERVICES = ['ranker'] as const;
export type ThrottlableService = (typeof THROTTLABLE_SERVICES)[number];

/** Frozen half of every 100 ms: past the gateway's ranker deadline for part of each period, not all of it. */
export const THROTTLE_CYCLE = { freezeMs: 50, periodMs: 100 } as const;

export const throttleFaultId = (service: string) => `throttle-${service}`;

export interface ThrottlePlan {
  freezeMs: number;
  periodMs: number;
  durationMs: number;
}

/** A throttle that runs: `done` settles once the process is thawed for good, with how many freezes it had. */
export interface RunningThrottle {
  service: string;
  pid: number;
  done: Promise<{ freezes: number; ended: string }>;
  /** Thaws the process now and waits for the loop to end. */
  stop(): Promise<void>;
}

/** Checks the service's process, then freezes and thaws it on the plan's cycle until its duration is over. */
export async function throttleService(
  service: string,
  layout: StackLayout,
  control: ProcessControl,
  plan: ThrottlePlan,
): Promise<RunningThrottle> {
  if (!(plan.freezeMs > 0 && plan.freezeMs < plan.periodMs && plan.durationMs > 0))
    throw new RangeError(
      `a throttle needs 0 < freezeMs < periodMs and a duration; got ${JSON.stringify(plan)}`,
    );
  const fault = { allowed: THROTTLABLE_SERVICES, action: 'throttle', done: 'throttled' };
  const target = await findServiceProcess(service, layout, control, fault);
  let stopped = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = async () => {
    const endAt = Date.now() + plan.durationMs;
    let freezes = 0;
    let frozen = false;
    let ended = 'its time was up';
    try {
      while (!stopped && Date.now() < endAt) {
        // The pid could have died (and be restarted under another pid) since the last freeze.
        const again = await control.commandLine(target.pid);
        if (!again || again.join('\0') !== target.commandLine.join('\0')) {
          ended = `pid ${target.pid} no longer runs ${service}`;
          break;
        }
        control.kill(target.pid, 'SIGSTOP');
        frozen = true;
        freezes += 1;
        await pause(plan.freezeMs);
        control.kill(target.pid, 'SIGCONT');
        frozen = false;
        if (!stopped) await pause(plan.periodMs - plan.freezeMs);
      }
      if (stopped) ended = 'stopped early';
    } catch (error) {
      ended = `a signal failed: ${(error as Error).message}`;
    } finally {
      if (frozen) {
        try {
          control.kill(target.pid, 'SIGCONT');
        } catch {
          // The process is gone: nothing is left frozen.
        }
      }
    }
    return { freezes, ended };
  };
  const done = loop();
  return {
    service,
    pid: target.pid,
    done,
    async stop() {
      stopped = true;
      wake?.();
      await done;
    },
  };
}
