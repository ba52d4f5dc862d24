/**
 * Scenario options, shaped like k6's so that a k6 user can read and write
 * them: named `scenarios` with an arrival-rate `executor`, `thresholds` such
 * as `{ 'latency{scenario:recs}': ['p(95)<100'] }`, and `tags`.
 *
 * There are no virtual users here: the runner is open-model and starts
 * requests on the clock. `maxVUs` (or, without it, `preAllocatedVUs`) keeps
 * its k6 meaning of "how many iterations may run at once": an iteration due
 * while that many are in flight is dropped and counted, as k6 does.
 */

export type Tags = Record<string, string>;

interface ExecutorCommon {
  /** Per how long `rate` (or a stage `target`) counts iterations; k6's default is `1s`. */
  timeUnit?: string;
  /** Accepted for k6 familiarity; the in-flight cap when `maxVUs` is absent. */
  preAllocatedVUs?: number;
  /** Most iterations in flight at once; more are dropped (counted as `dropped_iterations`). */
  maxVUs?: number;
  /** Which of the workload's functions runs each iteration (k6 `exec`); `default` when absent. */
  exec?: string;
  /** How long to wait for in-flight iterations once the schedule ends; k6's default is `30s`. */
  gracefulStop?: string;
  tags?: Tags;
}

export interface ConstantArrivalRate extends ExecutorCommon {
  executor: 'constant-arrival-rate';
  rate: number;
  duration: string;
}

export interface RampingStage {
  /** Rate (per `timeUnit`) reached at the end of the stage, linearly from the previous one. */
  target: number;
  duration: string;
}

export interface RampingArrivalRate extends ExecutorCommon {
  executor: 'ramping-arrival-rate';
  startRate?: number;
  stages: readonly RampingStage[];
}

export type ExecutorOptions = ConstantArrivalRate | RampingArrivalRate;

/** Steps for the capacity finder: rates per second of the first scenario entry. */
export interface CapacityOptions {
  startRate: number;
  /** Multiply the rate by this after each step that held (e.g. 1.25)... */
  factor?: number;
  /** ...or add this many per second instead. */
  step?: number;
  maxRate: number;
  /** How long each step runs. */
  stepDuration: string;
}

/** When the generator counts as the bottleneck, which makes a run invalid. */
export interface GeneratorLimits {
  /** A start later than this after its scheduled time is a late start. */
  lateStartToleranceMs: number;
  /** Share of late starts above which the run is invalid. */
  maxLateStartShare: number;
  /** Event-loop delay (p99) above which the generator's own timing is suspect. */
  maxEventLoopP99Ms: number;
  /** Mean process CPU, as a share of one core, above which the generator was saturated. */
  maxCpuShare: number;
}

export interface LoadOptions {
  scenarios: Record<string, ExecutorOptions>;
  /**
   * Not in k6: unmeasured traffic at each entry's opening rate before the
   * run, so that a cold generator (JIT, first connections) is not measured.
   */
  warmup?: string;
  thresholds?: Record<string, string[]>;
  tags?: Tags;
  capacity?: CapacityOptions;
  generator?: Partial<GeneratorLimits>;
}

export const DEFAULT_MAX_IN_FLIGHT = 1000;
export const DEFAULT_GRACEFUL_STOP = '30s';
export const DEFAULT_TIME_UNIT = '1s';

export const DEFAULT_GENERATOR_LIMITS: GeneratorLimits = {
  // Timer granularity and GC pauses account for a few milliseconds; more than
  // 10 ms means the loop was busy with something else when a start was due.
  lateStartToleranceMs: 10,
  maxLateStartShare: 0.01,
  // Every response is processed on this loop, so its delay lands in the
  // measured latency; 25 ms is half the tightest target (fraud decision, 50 ms).
  maxEventLoopP99Ms: 25,
  maxCpuShare: 0.9,
};

export function inFlightCap(entry: ExecutorOptions): number {
  return entry.maxVUs ?? entry.preAllocatedVUs ?? DEFAULT_MAX_IN_FLIGHT;
}
