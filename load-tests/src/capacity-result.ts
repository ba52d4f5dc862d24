import { buildResult, type RunResult } from '@mlsys/results';
import type { CapacityOutcome } from './capacity.js';
import { percentileMs } from './histogram.js';
import { BUILTIN_METRICS, type TimelineSnapshot } from './metrics.js';
import type { LoadRun } from './run-load.js';

const round = (value: number | null, digits = 3): number | null =>
  value === null || !Number.isFinite(value) ? null : Math.round(value * 10 ** digits) / 10 ** digits;

/** One step's line in the results: the data behind the latency-versus-rate chart. */
export function stepSummary(rate: number, run: LoadRun) {
  const latency = run.recorder.histogram('latency');
  const iterations = run.recorder.total('iterations');
  const failures = run.recorder.total('iterations', { expected_response: 'false' });
  return {
    rate,
    achieved_rps: round((iterations - failures) / run.activeSeconds, 2),
    p50_ms: round(percentileMs(latency, 50)),
    p95_ms: round(percentileMs(latency, 95)),
    p99_ms: round(percentileMs(latency, 99)),
    error_rate: round(run.recorder.share('error_rate'), 6),
    ...workloadShares(run),
    held: run.verdicts.every((v) => v.pass),
    valid: run.generator.verdict.valid,
    failed: run.verdicts
      .filter((v) => !v.pass)
      .map((v) => `${v.metric} ${v.op} ${v.target} (measured ${round(v.value)})`),
    generator_reasons: run.generator.verdict.reasons,
  };
}

/** The workload's own rate metrics at this step (e.g. recs' `degraded` share), by name. */
function workloadShares(run: LoadRun): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [name, kind] of Object.entries(run.recorder.kinds)) {
    if (kind === 'rate' && !(name in BUILTIN_METRICS)) out[name] = round(run.recorder.share(name), 6);
  }
  return out;
}

/** The steps' timelines end to end, with the second each step began. */
export function concatTimelines(timelines: TimelineSnapshot[]): TimelineSnapshot & { step_starts: number[] } {
  const out: TimelineSnapshot & { step_starts: number[] } = {
    seconds: [],
    offered: [],
    completed: [],
    errors: [],
    dropped: [],
    trends: {},
    step_starts: [],
  };
  const names = new Set(timelines.flatMap((t) => Object.keys(t.trends)));
  for (const name of names) out.trends[name] = { p50: [], p95: [], p99: [] };
  for (const t of timelines) {
    const offset = out.seconds.length;
    out.step_starts.push(offset);
    out.seconds.push(...t.seconds.map((s) => s + offset));
    out.offered.push(...t.offered);
    out.completed.push(...t.completed);
    out.errors.push(...t.errors);
    out.dropped.push(...t.dropped);
    for (const name of names) {
      const target = out.trends[name] as TimelineSnapshot['trends'][string];
      const source = t.trends[name];
      const blank = t.seconds.map(() => null);
      target.p50.push(...(source?.p50 ?? blank));
      target.p95.push(...(source?.p95 ?? blank));
      target.p99.push(...(source?.p99 ?? blank));
    }
  }
  return out;
}

function stopNote(outcome: CapacityOutcome<LoadRun>): string {
  const last = outcome.steps.at(-1);
  const held = outcome.heldRate === null ? 'no step held' : `${outcome.heldRate}/s held`;
  if (!last) return 'no step ran';
  if (outcome.stop === 'max-rate-reached')
    return `capacity: every step held up to maxRate ${last.ratePerSecond}/s; raise --max-rate to find the limit`;
  if (outcome.stop === 'generator-limited') {
    return (
      `capacity: ${held}; the step at ${last.ratePerSecond}/s was stopped because the generator, not the service, ` +
      `was the bottleneck (${last.detail.generator.verdict.reasons.join('; ')}), so the capacity is at least the last rate that held`
    );
  }
  const failed = last.detail.verdicts
    .filter((v) => !v.pass)
    .map((v) => `${v.metric} ${v.op} ${v.target}, measured ${round(v.value)}`);
  return `capacity: ${held}; at ${last.ratePerSecond}/s it broke: ${failed.join('; ')}`;
}

/** The results-contract record of a capacity search; it passes when at least one step held. */
export function capacityResult(
  name: string,
  outcome: CapacityOutcome<LoadRun>,
  params: Record<string, unknown>,
): RunResult {
  const steps = outcome.steps.map((s) => stepSummary(s.ratePerSecond, s.detail));
  const heldStep = outcome.steps.filter((s) => s.verdict.held && s.verdict.valid).at(-1);
  const judged = heldStep ?? outcome.steps.at(-1);
  const lastStep = outcome.steps.at(-1);
  const startedAt = outcome.steps[0]?.detail.startedAt ?? new Date();
  const result = buildResult({
    name,
    startedAt,
    params,
    metrics: {
      capacity_rps: outcome.heldRate,
      first_failed_rps: outcome.stop === 'threshold-failed' ? (lastStep?.ratePerSecond ?? null) : null,
      stop_reason: outcome.stop,
      steps,
      timeline: concatTimelines(outcome.steps.map((s) => s.detail.recorder.timelineSnapshot())),
      // The verdicts below are those of the highest step that held (or the first, when none did).
      ...Object.fromEntries((judged?.detail.verdicts ?? []).map((v) => [v.metric, v.value])),
    },
    slo: (judged?.detail.verdicts ?? []).map(({ metric, op, target }) => ({ metric, op, target })),
    notes: [
      stopNote(outcome),
      "each step is an open-model run at a constant rate; latency runs from each request's scheduled start",
    ],
  });
  return { ...result, pass: outcome.heldRate !== null };
}
