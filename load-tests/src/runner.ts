import type { Clock } from './clock.js';
import type { Recorder } from './metrics.js';
import type { Tags } from './options.js';

export interface IterationContext {
  /** The scenario entry the iteration belongs to. */
  scenario: string;
  /** 0-based index within its entry. */
  iteration: number;
  /** When it was due, ms since the run started. */
  scheduledAt: number;
  /** The same instant as wall-clock ms since the epoch (for event times). */
  scheduledWallTime: number;
  /** The runner's clock, ms since the run started: workloads use it to stamp when a request really left. */
  now(): number;
}

export interface IterationOutcome {
  ok: boolean;
  /** When the request really left (ms since the run started); the iteration start when absent. */
  sentAt?: number;
  /** Why it failed, short and stable enough to count (`status 503`, `ECONNREFUSED`). */
  error?: string;
  /** Tags the workload adds to the sample (`kind: new-user`). */
  tags?: Tags;
}

export type Iterate = (context: IterationContext) => Promise<IterationOutcome>;

/** One scenario entry, ready to run. */
export interface EntryPlan {
  name: string;
  /** Start times, ms from the run's start, ascending. */
  arrivals: Iterable<number>;
  maxInFlight: number;
  gracefulStopMs: number;
  tags: Tags;
  iterate: Iterate;
}

export interface RunTiming {
  clock: Clock;
  /** The runner's time origin (a `clock.now()` value) and the wall-clock time at that instant. */
  origin: number;
  wallOrigin: number;
  lateStartToleranceMs: number;
}

/**
 * How long the runner may go on starting iterations that have come due
 * before it lets responses in. A count would cap the start rate at
 * count / turn length, which on a busy machine is below the rate asked for,
 * and a runner that falls behind would never catch up.
 */
const START_BURST_MS = 5;

function failure(error: unknown): IterationOutcome {
  return {
    ok: false,
    error: error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error),
  };
}

/**
 * Runs one entry open-model: each iteration starts at its scheduled time
 * whatever earlier ones are doing. Latency is recorded from the scheduled
 * start (so queueing anywhere, in the generator, the client pool or the
 * server, is counted) and from the moment the request left.
 */
async function runEntry(plan: EntryPlan, timing: RunTiming, recorder: Recorder): Promise<void> {
  const { clock, origin } = timing;
  const now = () => clock.now() - origin;
  /** Iterations in flight, each with how to abandon it so that a late answer is not recorded twice. */
  const running = new Map<Promise<void>, { scheduledAt: number; abandon: () => void }>();
  let iteration = 0;
  let burstStartedAt = now();

  for (const scheduledAt of plan.arrivals) {
    if (scheduledAt > now()) {
      await clock.waitUntil(origin + scheduledAt);
      burstStartedAt = now();
    } else if (now() - burstStartedAt > START_BURST_MS) {
      await clock.yield();
      burstStartedAt = now();
    }
    const index = iteration++;
    const second = recorder.second(scheduledAt);
    second.offered += 1;
    const tags: Tags = { ...plan.tags, scenario: plan.name };
    if (running.size >= plan.maxInFlight) {
      second.dropped += 1;
      recorder.live.dropped += 1;
      recorder.count('dropped_iterations', 1, tags);
      continue;
    }
    const startedAt = now();
    const startDelay = startedAt - scheduledAt;
    recorder.trend('start_delay', startDelay, tags);
    if (startDelay > timing.lateStartToleranceMs) recorder.count('late_starts', 1, tags);

    let settled = false;
    const finish = (outcome: IterationOutcome) => {
      if (settled) return;
      settled = true;
      const completedAt = now();
      const sampleTags: Tags = { ...tags, ...outcome.tags, expected_response: String(outcome.ok) };
      recorder.trend('latency', completedAt - scheduledAt, sampleTags, scheduledAt);
      recorder.trend('send_latency', completedAt - (outcome.sentAt ?? startedAt), sampleTags, scheduledAt);
      recorder.count('iterations', 1, sampleTags);
      recorder.rate('error_rate', !outcome.ok, sampleTags);
      recorder.rate('availability', outcome.ok, sampleTags);
      const doneSecond = recorder.second(completedAt);
      doneSecond.completed += 1;
      recorder.live.completed += 1;
      if (!outcome.ok) {
        doneSecond.errors += 1;
        recorder.live.errors += 1;
        recorder.errorReason(outcome.error ?? 'failed');
      }
    };

    recorder.live.inFlight += 1;
    let started: Promise<IterationOutcome>;
    try {
      started = plan.iterate({
        scenario: plan.name,
        iteration: index,
        scheduledAt,
        scheduledWallTime: timing.wallOrigin + scheduledAt,
        now,
      });
    } catch (error) {
      started = Promise.resolve(failure(error));
    }
    const done: Promise<void> = started
      .then(finish, (error: unknown) => finish(failure(error)))
      .finally(() => {
        recorder.live.inFlight -= 1;
        running.delete(done);
      });
    running.set(done, {
      scheduledAt,
      abandon: () => {
        settled = true;
      },
    });
  }

  // The schedule is over: give what is in flight `gracefulStop` to finish (as k6 does).
  if (running.size > 0) {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, plan.gracefulStopMs);
    });
    await Promise.race([Promise.all(running.keys()), grace]);
    clearTimeout(timer);
  }
  // Whatever is still running counts as failed, with the time it had waited so far
  // as its latency: a lower bound, but leaving it out would flatter the tail.
  for (const { scheduledAt, abandon } of running.values()) {
    abandon();
    const waited = now() - scheduledAt;
    recorder.second(now()).errors += 1;
    recorder.live.errors += 1;
    const tags: Tags = { ...plan.tags, scenario: plan.name, expected_response: 'false' };
    recorder.trend('latency', waited, tags, scheduledAt);
    recorder.count('interrupted_iterations', 1, tags);
    recorder.rate('error_rate', true, tags);
    recorder.rate('availability', false, tags);
    recorder.errorReason(
      `interrupted: still running ${Math.round(plan.gracefulStopMs)} ms after the schedule ended`,
    );
  }
}

/** Runs every entry at once, as k6 runs its scenarios in parallel. */
export async function runOpenModel(plans: EntryPlan[], timing: RunTiming, recorder: Recorder): Promise<void> {
  await Promise.all(plans.map((plan) => runEntry(plan, timing, recorder)));
}
