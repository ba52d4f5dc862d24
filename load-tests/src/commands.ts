import { join } from 'node:path';
import { ConfigError, type ConfigShape, loadConfig } from '@mlsys/config';
import { buildResult, type RunResult } from '@mlsys/results';
import { type CapacityPlan, checkPlan, findCapacity, nextRate } from './capacity.js';
import { capacityResult } from './capacity-result.js';
import { type CliArgs, USAGE, UsageError } from './cli-args.js';
import { parseDuration } from './duration.js';
import { loadResult } from './load-result.js';
import { BUILTIN_METRICS, type MetricKind } from './metrics.js';
import type { LoadOptions } from './options.js';
import { applyOverrides, type Overrides } from './overrides.js';
import type { SuiteMember } from './report/html.js';
import { writeReports } from './report/write.js';
import { runLoad } from './run-load.js';
import type { ScenarioDefinition, SuiteDefinition, TargetKind } from './scenario.js';
import { catalogue as defaultCatalogue } from './scenarios/index.js';
import { parseThresholds } from './thresholds.js';

/** Exit statuses, as the usage text promises. */
export const EXIT = { pass: 0, thresholdFailed: 1, couldNotRun: 2, invalid: 3 } as const;

export type Targets = Record<TargetKind, string>;

export type Catalogue = Record<string, ScenarioDefinition | SuiteDefinition>;

export interface CommandIo {
  /** The result tables and report paths. */
  print: (line: string) => void;
  /** Progress lines while a run goes. */
  progress: (line: string) => void;
  outDir: string;
}

function listing(catalogue: Catalogue): string {
  const lines = ['scenarios:'];
  for (const entry of Object.values(catalogue)) {
    lines.push(`  ${entry.name.padEnd(14)} ${entry.description}`);
    if (entry.kind === 'scenario') {
      for (const [name, spec] of Object.entries(entry.params)) {
        const fallback = 'fallback' in spec ? ` (default ${String(spec.fallback)})` : '';
        lines.push(`      --param ${name}=...  ${spec.description}${fallback}`);
      }
    }
  }
  return lines.join('\n');
}

function scenarioParams(
  scenario: ScenarioDefinition,
  given: Record<string, string>,
): Record<string, unknown> {
  const unknown = Object.keys(given).filter((name) => !(name in scenario.params));
  if (unknown.length > 0) {
    throw new UsageError(
      `${scenario.name} has no parameter ${unknown.join(', ')}; it takes: ${Object.keys(scenario.params).join(', ')}`,
    );
  }
  try {
    return loadConfig(scenario.name, scenario.params as ConfigShape, given);
  } catch (error) {
    if (error instanceof ConfigError)
      throw new UsageError(`bad --param for ${scenario.name}:\n  - ${error.problems.join('\n  - ')}`);
    throw error;
  }
}

interface Plan {
  scenario: ScenarioDefinition;
  target: string;
  params: Record<string, unknown>;
  overrides: Overrides;
  capacity?: CapacityPlan & { stepMs: number };
  warmupMs: number;
  autocannon: boolean;
  targets?: Targets;
}

function resultParams(plan: Plan): Record<string, unknown> {
  return {
    scenario: plan.scenario.name,
    description: plan.scenario.description,
    target: plan.target,
    params: plan.params,
    overrides: plan.overrides,
    warmup_ms: plan.warmupMs,
  };
}

/** Runs one scenario (plain or capacity) and writes its reports; returns the result and the exit status. */
async function runPlan(
  plan: Plan,
  io: CommandIo,
  reportDir: string,
): Promise<{ result: RunResult; exit: number }> {
  const { scenario } = plan;
  const base = {
    scenario,
    target: plan.target,
    params: plan.params,
    print: io.progress,
    ...(plan.targets ? { targets: plan.targets } : {}),
  };
  if (plan.capacity) {
    const stepMs = plan.capacity.stepMs;
    const outcome = await findCapacity(plan.capacity, async (rate) => {
      const run = await runLoad({
        ...base,
        options: applyOverrides(scenario.options, { ratePerSecond: rate, durationMs: stepMs }),
        label: `${scenario.name} @ ${rate}/s`,
        // Steps follow each other, so only the first needs warming up.
        warmupMs: rate === plan.capacity?.startRate ? plan.warmupMs : 0,
      });
      return {
        verdict: { held: run.verdicts.every((v) => v.pass), valid: run.generator.verdict.valid },
        detail: run,
      };
    });
    const result = capacityResult(scenario.name, outcome, { ...resultParams(plan), capacity: plan.capacity });
    writeReports(reportDir, scenario.name, result, io.print);
    return { result, exit: result.pass ? EXIT.pass : EXIT.thresholdFailed };
  }
  const run = await runLoad({
    ...base,
    options: applyOverrides(scenario.options, plan.overrides),
    warmupMs: plan.warmupMs,
    compareWithAutocannon: plan.autocannon,
  });
  const result = loadResult(scenario.name, run, resultParams(plan), scenario.metrics);
  writeReports(reportDir, scenario.name, result, io.print);
  const exit = !run.generator.verdict.valid ? EXIT.invalid : result.pass ? EXIT.pass : EXIT.thresholdFailed;
  return { result, exit };
}

function planFor(scenario: ScenarioDefinition, args: CliArgs, targets: Targets): Plan {
  const plan: Plan = {
    scenario,
    target: args.target ?? targets[scenario.target],
    params: scenarioParams(scenario, args.params),
    overrides: {
      ...(args.ratePerSecond === undefined ? {} : { ratePerSecond: args.ratePerSecond }),
      ...(args.durationMs === undefined ? {} : { durationMs: args.durationMs }),
    },
    warmupMs: args.warmupMs ?? parseDuration(scenario.options.warmup ?? '0s', 'warmup'),
    autocannon: args.autocannon,
    targets,
  };
  const capacity = scenario.options.capacity;
  if (capacity) {
    if (args.autocannon)
      throw new UsageError('--autocannon compares one steady run; use it with a non-capacity scenario');
    plan.capacity = {
      ...capacity,
      startRate: args.ratePerSecond ?? capacity.startRate,
      maxRate: args.maxRate ?? capacity.maxRate,
      stepMs: args.durationMs ?? parseDuration(capacity.stepDuration, 'capacity.stepDuration'),
    };
    checkPlan(plan.capacity);
  } else if (args.maxRate !== undefined) {
    throw new UsageError(`--max-rate is for capacity scenarios; ${scenario.name} is not one`);
  }
  return plan;
}

/**
 * Throughput thresholds (a counter's rate, e.g. 10,000 decisions/s) cannot
 * hold at a smoke test's low rate, so the smoke suite leaves them out and
 * keeps the latency and error thresholds.
 */
function withoutThroughput(scenario: ScenarioDefinition): ScenarioDefinition {
  const kinds: Record<string, MetricKind> = { ...BUILTIN_METRICS, ...scenario.metrics };
  const thresholds: Record<string, string[]> = {};
  for (const [key, expressions] of Object.entries(scenario.options.thresholds ?? {})) {
    const kept = expressions.filter((expression) => {
      const [parsed] = parseThresholds({ [key]: [expression] }, kinds);
      return !(parsed && parsed.aggregate.kind === 'rate' && kinds[parsed.metric] === 'counter');
    });
    if (kept.length > 0) thresholds[key] = kept;
  }
  const options: LoadOptions = { ...scenario.options, thresholds };
  return { ...scenario, options };
}

async function runSuite(
  suite: SuiteDefinition,
  args: CliArgs,
  targets: Targets,
  io: CommandIo,
  catalogue: Catalogue,
): Promise<number> {
  if (args.target !== undefined) {
    throw new UsageError(
      `${suite.name} runs scenarios against different services; set REC_API_URL, TXN_API_URL and KAFKA_BROKERS instead of --target`,
    );
  }
  const rate = args.ratePerSecond ?? suite.ratePerSecond;
  const durationMs = args.durationMs ?? parseDuration(suite.duration, `${suite.name}.duration`);
  const reportDir = join(io.outDir, suite.name);
  const members: SuiteMember[] = [];
  const startedAt = new Date();
  let exit: number = EXIT.pass;
  for (const name of suite.members) {
    const member = catalogue[name];
    if (member?.kind !== 'scenario') throw new Error(`${suite.name} lists ${name}, which is not a scenario`);
    const scenario = withoutThroughput(member);
    const report = `${suite.name}/${name}.html`;
    try {
      // A smoke test checks that the stack answers, not how fast: no warm-up unless asked for.
      const plan = planFor(
        scenario,
        { ...args, ratePerSecond: rate, durationMs, warmupMs: args.warmupMs ?? 0 },
        targets,
      );
      // A capacity scenario runs two short steps, which is enough to exercise the finder.
      if (plan.capacity)
        plan.capacity = { ...plan.capacity, startRate: rate, maxRate: nextRate(plan.capacity, rate) ?? rate };
      const { result, exit: memberExit } = await runPlan(plan, io, reportDir);
      const metrics = result.metrics;
      const generator = metrics.generator as { valid: boolean } | undefined;
      members.push({
        name,
        pass: result.pass,
        valid: generator?.valid ?? true,
        report,
        p95_ms: (metrics.p95_ms as number | null | undefined) ?? null,
        error_rate: (metrics.error_rate as number | null | undefined) ?? null,
      });
      if (memberExit !== EXIT.pass && exit === EXIT.pass) exit = memberExit;
    } catch (error) {
      const message = (error as Error).message;
      io.print(`✖ ${name}: ${message}`);
      members.push({
        name,
        pass: false,
        valid: true,
        report,
        p95_ms: null,
        error_rate: null,
        error: message,
      });
      exit = EXIT.thresholdFailed;
    }
  }
  const summary = buildResult({
    name: suite.name,
    startedAt,
    params: { members: suite.members, ratePerSecond: rate, durationMs },
    metrics: { scenarios: members.length, passed: members.filter((m) => m.pass).length, members },
    notes: [
      `each scenario ran ${durationMs / 1000} s at ${rate}/s; throughput thresholds are left out at this rate`,
    ],
  });
  writeReports(io.outDir, suite.name, { ...summary, pass: members.every((m) => m.pass) }, io.print);
  return exit;
}

/** Runs what the command line asks for; returns the exit status. */
export async function runCommand(
  args: CliArgs,
  targets: Targets,
  io: CommandIo,
  catalogue: Catalogue = defaultCatalogue,
): Promise<number> {
  if (args.help) {
    io.print(USAGE);
    return EXIT.pass;
  }
  if (args.list) {
    io.print(listing(catalogue));
    return EXIT.pass;
  }
  if (args.scenario === undefined)
    throw new UsageError('name a scenario (npm run load -- --list shows them)');
  const entry = catalogue[args.scenario];
  if (!entry)
    throw new UsageError(`no scenario named ${args.scenario}; known: ${Object.keys(catalogue).join(', ')}`);
  if (entry.kind === 'suite') return runSuite(entry, args, targets, io, catalogue);
  const { exit } = await runPlan(planFor(entry, args, targets), io, io.outDir);
  return exit;
}

/** Shown when a command fails before or while starting. */
export function describeFailure(error: unknown): string {
  if (error instanceof UsageError) return `${error.message}\n\n${USAGE}`;
  return error instanceof Error ? error.message : String(error);
}
