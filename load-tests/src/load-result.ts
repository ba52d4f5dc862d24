import { buildResult, type RunResult } from '@mlsys/results';
import { maxMs, meanMs, percentileMs } from './histogram.js';
import type { MetricKind } from './metrics.js';
import type { LoadRun } from './run-load.js';
import { resultName } from './thresholds.js';

const round = (value: number | null, digits = 3): number | null =>
  value === null || !Number.isFinite(value) ? null : Math.round(value * 10 ** digits) / 10 ** digits;

const PERCENTILES = [50, 90, 95, 99] as const;

/** p50/p90/p95/p99/max/mean of a trend under the names thresholds use (`p95_ms`, `send_p99_ms`). */
function trendFigures(
  run: LoadRun,
  metric: string,
  filter: Record<string, string> = {},
): Record<string, number | null> {
  const h = run.recorder.histogram(metric, filter);
  const figures: Record<string, number | null> = {};
  for (const p of PERCENTILES)
    figures[resultName(metric, 'trend', { kind: 'percentile', p }, filter)] = round(percentileMs(h, p));
  figures[resultName(metric, 'trend', { kind: 'max' }, filter)] = round(maxMs(h));
  figures[resultName(metric, 'trend', { kind: 'avg' }, filter)] = round(meanMs(h));
  return figures;
}

/** The figures a load run reports: scalar ones print as the table, objects feed the HTML report. */
export function runMetrics(
  run: LoadRun,
  customMetrics: Record<string, MetricKind> = {},
): Record<string, unknown> {
  const { recorder } = run;
  const iterations = recorder.total('iterations');
  const failures = recorder.total('iterations', { expected_response: 'false' });
  const metrics: Record<string, unknown> = {
    offered_rps: round(run.offeredPerSecond, 2),
    achieved_rps: round((iterations - failures) / run.activeSeconds, 2),
    iterations,
    errors: failures + recorder.total('interrupted_iterations'),
    error_rate: round(recorder.share('error_rate'), 6),
    availability: round(recorder.share('availability'), 6),
    ...trendFigures(run, 'latency'),
    ...trendFigures(run, 'send_latency'),
    start_delay_p99_ms: round(percentileMs(recorder.histogram('start_delay'), 99)),
    late_starts: recorder.total('late_starts'),
    dropped_iterations: recorder.total('dropped_iterations'),
    interrupted_iterations: recorder.total('interrupted_iterations'),
  };
  const entries = Object.keys(run.options.scenarios);
  if (entries.length > 1) {
    for (const scenario of entries) Object.assign(metrics, trendFigures(run, 'latency', { scenario }));
  }
  for (const [name, kind] of Object.entries(customMetrics)) {
    if (kind === 'trend') Object.assign(metrics, trendFigures(run, name));
    else if (kind === 'counter') metrics[name] = recorder.total(name);
    else metrics[name] = round(recorder.share(name), 6);
  }
  // Every threshold's measured value, under the name its verdict carries.
  for (const verdict of run.verdicts)
    metrics[verdict.metric] = verdict.value === null ? null : round(verdict.value, 6);
  if (run.autocannon) {
    const primary = entries[0] as string;
    const send = recorder.histogram('send_latency', { scenario: primary });
    Object.assign(metrics, run.autocannon, {
      runner_send_p50_ms: round(percentileMs(send, 50)),
      runner_send_p99_ms: round(percentileMs(send, 99)),
    });
  }
  if (run.summary?.metrics) Object.assign(metrics, run.summary.metrics);
  const { readings, verdict } = run.generator;
  metrics.generator = {
    valid: verdict.valid,
    reasons: verdict.reasons,
    event_loop_p99_ms: round(readings.eventLoopP99Ms),
    event_loop_max_ms: round(readings.eventLoopMaxMs),
    cpu_mean_pct: round(readings.cpuShareMean * 100, 1),
    cpu_max_pct: round(readings.cpuShareMax * 100, 1),
  };
  metrics.error_reasons = recorder.errorReasons();
  metrics.timeline = recorder.timelineSnapshot();
  return metrics;
}

/** Notes every load result carries, so a reader knows what the numbers mean and whether to trust them. */
export function runNotes(run: LoadRun): string[] {
  const notes = [
    "latency (p50_ms ...) runs from each request's scheduled start to the end of its response (open model, no coordinated omission); send_* runs from when it left",
  ];
  notes.push(...(run.summary?.notes ?? []));
  for (const reason of run.generator.verdict.reasons)
    notes.push(`run invalid, the generator was the bottleneck: ${reason}`);
  if (run.autocannon) {
    const a = run.autocannon;
    notes.push(
      `honesty check: autocannon p50 ${a.autocannon_p50_ms} ms / p99 ${a.autocannon_p99_ms} ms at ${a.autocannon_rps.toFixed(0)}/s ` +
        "against the runner's send latency of the same request mix (runner_send_p50_ms / runner_send_p99_ms)",
    );
  }
  return notes;
}

/** The results-contract record of one load run; it passes only when every threshold held and the run was valid. */
export function loadResult(
  name: string,
  run: LoadRun,
  params: Record<string, unknown>,
  customMetrics: Record<string, MetricKind> = {},
): RunResult {
  const result = buildResult({
    name,
    startedAt: run.startedAt,
    params: { ...params, options: run.options },
    metrics: runMetrics(run, customMetrics),
    slo: run.verdicts.map(({ metric, op, target }) => ({ metric, op, target })),
    notes: runNotes(run),
  });
  return { ...result, pass: result.pass && run.generator.verdict.valid };
}
