import type { SloVerdict } from '@mlsys/results';
import { type Clock, realClock } from './clock.js';
import { parseDuration } from './duration.js';
import {
  GeneratorMonitor,
  type GeneratorReadings,
  type GeneratorVerdict,
  judgeGenerator,
  type ScheduleKeeping,
} from './generator-health.js';
import { percentileMs } from './histogram.js';
import { type AutocannonFigures, runAutocannon } from './honesty.js';
import { BUILTIN_METRICS, Recorder } from './metrics.js';
import {
  DEFAULT_GENERATOR_LIMITS,
  DEFAULT_GRACEFUL_STOP,
  type ExecutorOptions,
  inFlightCap,
  type LoadOptions,
} from './options.js';
import { startProgress } from './progress.js';
import { type EntryPlan, runOpenModel } from './runner.js';
import type { ScenarioDefinition, TargetKind, Workload } from './scenario.js';
import { arrivals, expectedIterations, scheduleDurationMs } from './schedule.js';
import { judge, parseThresholds } from './thresholds.js';

export interface LoadRequest {
  scenario: ScenarioDefinition;
  /** The scenario's options after `--rate` / `--duration` (or a capacity step). */
  options: LoadOptions;
  target: string;
  /** Parsed `--param` values. */
  params: Record<string, unknown>;
  /** Shown in the progress line, e.g. `recs-capacity @ 125/s`. */
  label?: string;
  /** Unmeasured traffic at the opening rate first, so the generator's JIT and the service are warm. */
  warmupMs?: number;
  /** Runs autocannon at the same rate after the run, for the honesty check. */
  compareWithAutocannon?: boolean;
  /** The whole stack's addresses, handed to the workload (a scenario may read Kafka beside its HTTP target). */
  targets?: Partial<Record<TargetKind, string>>;
  clock?: Clock;
  print?: (line: string) => void;
}

export interface LoadRun {
  startedAt: Date;
  options: LoadOptions;
  recorder: Recorder;
  verdicts: SloVerdict[];
  /** Length of the schedule (its longest entry); counter rates are per second of it. */
  activeSeconds: number;
  offeredPerSecond: number;
  generator: { readings: GeneratorReadings; verdict: GeneratorVerdict };
  autocannon?: AutocannonFigures;
  /** The workload's own figures and notes (`Workload.summary`). */
  summary?: { metrics?: Record<string, unknown>; notes?: string[] };
}

function planEntries(options: LoadOptions, workload: Workload): EntryPlan[] {
  return Object.entries(options.scenarios).map(([name, entry]) => {
    const exec = entry.exec ?? 'default';
    const iterate = workload.exec[exec];
    if (!iterate) {
      throw new Error(
        `scenarios.${name}.exec is "${exec}", but the workload offers: ${Object.keys(workload.exec).join(', ')}`,
      );
    }
    return {
      name,
      arrivals: arrivals(entry, `scenarios.${name}`),
      maxInFlight: inFlightCap(entry),
      gracefulStopMs: parseDuration(
        entry.gracefulStop ?? DEFAULT_GRACEFUL_STOP,
        `scenarios.${name}.gracefulStop`,
      ),
      tags: { ...options.tags, ...entry.tags },
      iterate,
    };
  });
}

function scheduleKeeping(recorder: Recorder): ScheduleKeeping {
  const startDelays = recorder.histogram('start_delay');
  const started = startDelays?.totalCount ?? 0;
  const dropped = recorder.total('dropped_iterations');
  return {
    offered: started + dropped,
    started,
    lateStarts: recorder.total('late_starts'),
    dropped,
    startDelayP99Ms: percentileMs(startDelays, 99),
  };
}

interface OpenedWorkload {
  workload: Workload;
  /** Sets the run's time origin to now; returns it and its wall-clock twin. */
  startClock(): { origin: number; wallOrigin: number; startedAt: Date };
}

async function openWorkload(
  request: LoadRequest,
  recorder: Recorder,
  clock: Clock,
  warmup = false,
): Promise<OpenedWorkload> {
  let origin = Number.NaN;
  let wallOrigin = Number.NaN;
  const workload = await request.scenario.open({
    target: request.target,
    params: request.params,
    metrics: recorder,
    runId: `lt${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`,
    now: () => clock.now() - origin,
    wallOrigin: () => wallOrigin,
    warmup,
    ...(request.targets ? { targets: request.targets } : {}),
  });
  return {
    workload,
    startClock() {
      const startedAt = new Date();
      origin = clock.now();
      wallOrigin = startedAt.getTime();
      return { origin, wallOrigin, startedAt };
    },
  };
}

/** The rate an entry opens with: where its warm-up runs. */
function openingRate(entry: ExecutorOptions): number {
  if (entry.executor === 'constant-arrival-rate') return entry.rate;
  return entry.startRate || (entry.stages[0]?.target ?? 0);
}

/**
 * Sends the scenario's traffic at its opening rate for a while with a
 * workload and a recorder that are then thrown away: the first second of a
 * cold Node process (JIT, first connections) would otherwise land in the
 * measured latency and make the run look generator-bound.
 */
async function warmUp(request: LoadRequest, warmupMs: number, clock: Clock, print: (line: string) => void) {
  print(
    `[${request.label ?? request.scenario.name}] warming up for ${warmupMs / 1000} s at the opening rate (not measured)`,
  );
  const recorder = new Recorder(request.scenario.metrics);
  const { workload, startClock } = await openWorkload(request, recorder, clock, true);
  try {
    const scenarios = Object.fromEntries(
      Object.entries(request.options.scenarios).map(([name, entry]): [string, ExecutorOptions] => [
        name,
        {
          executor: 'constant-arrival-rate',
          rate: openingRate(entry),
          timeUnit: entry.timeUnit,
          duration: `${warmupMs}ms`,
          maxVUs: inFlightCap(entry),
          exec: entry.exec,
          tags: entry.tags,
          gracefulStop: entry.gracefulStop,
        },
      ]),
    );
    const plans = planEntries({ ...request.options, scenarios }, workload);
    const { origin, wallOrigin } = startClock();
    await runOpenModel(
      plans,
      { clock, origin, wallOrigin, lateStartToleranceMs: Number.POSITIVE_INFINITY },
      recorder,
    );
  } finally {
    await workload.close();
  }
}

/**
 * One open-model run of a scenario: opens its workload, starts iterations
 * on schedule, waits for what outlives them, then judges the thresholds and
 * whether the generator itself held up.
 */
export async function runLoad(request: LoadRequest): Promise<LoadRun> {
  const { scenario, options } = request;
  const clock = request.clock ?? realClock;
  const print = request.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const thresholds = parseThresholds(options.thresholds ?? {}, { ...BUILTIN_METRICS, ...scenario.metrics });
  const limits = { ...DEFAULT_GENERATOR_LIMITS, ...options.generator };
  const entries = Object.entries(options.scenarios);
  const activeMs = Math.max(...entries.map(([name, e]) => scheduleDurationMs(e, `scenarios.${name}`)));
  const expected = entries.reduce((sum, [name, e]) => sum + expectedIterations(e, `scenarios.${name}`), 0);

  if (request.warmupMs) await warmUp(request, request.warmupMs, clock, print);
  const recorder = new Recorder(scenario.metrics);
  const { workload, startClock } = await openWorkload(request, recorder, clock);
  try {
    const plans = planEntries(options, workload);
    const monitor = new GeneratorMonitor();
    const { origin, wallOrigin, startedAt } = startClock();
    monitor.start();
    const stopProgress = startProgress(
      recorder,
      () => monitor.sample(),
      {
        name: request.label ?? scenario.name,
        totalS: activeMs / 1000,
        elapsedS: () => (clock.now() - origin) / 1000,
      },
      print,
    );
    try {
      await runOpenModel(
        plans,
        { clock, origin, wallOrigin, lateStartToleranceMs: limits.lateStartToleranceMs },
        recorder,
      );
      await workload.drain?.();
    } finally {
      stopProgress();
    }
    const readings = monitor.stop();
    const activeSeconds = activeMs / 1000;
    const run: LoadRun = {
      startedAt,
      options,
      recorder,
      verdicts: judge(thresholds, recorder, activeSeconds),
      activeSeconds,
      offeredPerSecond: expected / activeSeconds,
      generator: { readings, verdict: judgeGenerator(readings, scheduleKeeping(recorder), limits) },
    };
    const summary = workload.summary?.(recorder.timelineSnapshot());
    if (summary) run.summary = summary;
    if (request.compareWithAutocannon) {
      if (!workload.honesty)
        throw new Error(`${scenario.name} is not an HTTP scenario; autocannon can only check HTTP`);
      // The same rate and request mix as the first entry, whose send latency it is compared with.
      const [primaryName, primary] = entries[0] as [string, ExecutorOptions];
      const rate =
        expectedIterations(primary, primaryName) / (scheduleDurationMs(primary, primaryName) / 1000);
      print(`[${scenario.name}] honesty check: autocannon at ${rate.toFixed(0)}/s for ${activeSeconds} s`);
      run.autocannon = await runAutocannon(workload.honesty, rate, activeSeconds);
    }
    return run;
  } finally {
    await workload.close();
  }
}
