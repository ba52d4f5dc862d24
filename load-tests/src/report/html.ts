import type { RunResult, SloVerdict } from '@mlsys/results';
import type { stepSummary } from '../capacity-result.js';
import type { TimelineSnapshot } from '../metrics.js';
import { escapeHtml } from './escape.js';
import { lineChart, type ReferenceLine, type Series } from './svg-chart.js';

type Step = ReturnType<typeof stepSummary>;
type Timeline = TimelineSnapshot & { step_starts?: number[] };

/** A suite member's line in the smoke summary. */
export interface SuiteMember {
  name: string;
  pass: boolean;
  valid: boolean;
  /** The member's HTML report, relative to the summary page. */
  report: string;
  p95_ms: number | null;
  error_rate: number | null;
  error?: string;
}

const COLORS = {
  p50: '#4e79a7',
  p95: '#f28e2b',
  p99: '#e15759',
  slo: '#b40000',
  mark: '#777',
  ok: '#59a14f',
};

const fmt = (v: unknown): string => {
  if (typeof v === 'number')
    return Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4);
  if (v === null || v === undefined) return '–';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
};

const table = (head: string[], rows: unknown[][]): string =>
  `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

const badge = (pass: boolean, text = pass ? 'PASS' : 'FAIL') =>
  `<span class="badge ${pass ? 'pass' : 'fail'}">${text}</span>`;

/** SLO lines for a trend's chart: the verdicts on that trend's percentiles (`p95_ms`, `decision_p99_ms{...}`). */
function targetsFor(trend: string, slo: SloVerdict[]): ReferenceLine[] {
  const prefix = trend === 'latency' ? '' : `${trend.replace(/_latency$/, '')}_`;
  const pattern = new RegExp(`^${prefix}(p[\\d.]+|avg|med|max)_ms(\\{.*\\})?$`);
  return slo
    .filter((v) => pattern.test(v.metric))
    .map((v) => ({ value: v.target, label: `SLO ${v.metric} ${v.op} ${v.target} ms`, color: COLORS.slo }));
}

/** Events a workload marked on its timeline (the drill's faults: `{ at_s, label }` in `metrics.fault_marks`). */
type EventMark = { at_s: number; label: string };

const eventMarks = (events: EventMark[]) =>
  events.map((e) => ({ value: e.at_s, label: e.label, color: COLORS.mark }));

function trendChart(
  trend: string,
  timeline: Timeline,
  slo: SloVerdict[],
  rates: number[],
  events: EventMark[] = [],
): string {
  const series = timeline.trends[trend];
  if (!series) return '';
  const line = (name: 'p50' | 'p95' | 'p99'): Series => ({
    name,
    color: COLORS[name],
    points: timeline.seconds.map((s, i) => [s, series[name][i] ?? null]),
  });
  const titles: Record<string, string> = {
    latency: 'Latency from the scheduled start, per second (what a queued user sees)',
    send_latency: 'Latency from the actual send, per second',
  };
  return lineChart({
    title: titles[trend] ?? `${trend} per second`,
    xLabel: 'seconds into the run',
    yLabel: 'ms',
    series: [line('p50'), line('p95'), line('p99')],
    targets: targetsFor(trend, slo),
    marks: [
      ...(timeline.step_starts ?? []).map((s, i) => ({
        value: s,
        label: `${rates[i] ?? ''}/s`,
        color: COLORS.mark,
      })),
      ...eventMarks(events),
    ],
  });
}

function throughputChart(timeline: Timeline): string {
  const per = (name: string, color: string, values: number[]): Series => ({
    name,
    color,
    points: timeline.seconds.map((s, i) => [s, values[i] ?? 0]),
  });
  return lineChart({
    title: 'Iterations per second: offered (by schedule), completed, failed',
    xLabel: 'seconds into the run',
    yLabel: 'per second',
    series: [
      per('offered', COLORS.p50, timeline.offered),
      per('completed', COLORS.ok, timeline.completed),
      per('failed', COLORS.p99, timeline.errors),
    ],
    height: 240,
  });
}

const COUNT_COLORS = ['#59a14f', '#f28e2b', '#e15759', '#76b7b2', '#b07aa1', '#9c755f', '#4e79a7'];

/** The workload's own per-second counts (e.g. answers by source: pipeline, rules-only, unavailable). */
function countsChart(timeline: Timeline, events: EventMark[] = []): string {
  const counts = timeline.counts;
  if (!counts || Object.keys(counts).length === 0) return '';
  return lineChart({
    title: `Per second, by the second each request was due: ${Object.keys(counts).join(', ')}`,
    xLabel: 'seconds into the run',
    yLabel: 'per second',
    series: Object.entries(counts).map(([name, values], i) => ({
      name,
      color: COUNT_COLORS[i % COUNT_COLORS.length] as string,
      points: timeline.seconds.map((s, j): [number, number | null] => [s, values[j] ?? 0]),
    })),
    marks: eventMarks(events),
    height: 240,
  });
}

function capacityChart(steps: Step[], slo: SloVerdict[], capacity: number | null): string {
  const line = (name: 'p50' | 'p95' | 'p99'): Series => ({
    name,
    color: COLORS[name],
    markers: true,
    points: steps.map((s) => [s.rate, s[`${name}_ms`]]),
  });
  return lineChart({
    title: 'Latency versus offered rate (one point per step)',
    xLabel: 'offered rate (per second)',
    yLabel: 'ms',
    series: [line('p50'), line('p95'), line('p99')],
    targets: targetsFor('latency', slo),
    marks: capacity === null ? [] : [{ value: capacity, label: `capacity ${capacity}/s`, color: COLORS.ok }],
  });
}

function scalarRows(metrics: Record<string, unknown>): unknown[][] {
  return Object.entries(metrics)
    .filter(([, v]) => v === null || typeof v !== 'object')
    .map(([k, v]) => [escapeHtml(k), escapeHtml(fmt(v))]);
}

/**
 * The self-contained HTML report of a load result: verdicts first, then the
 * charts (inline SVG, SLO lines drawn), then every figure. It reads only the
 * result, so it can be re-rendered from any results JSON.
 */
export function renderHtml(result: RunResult): string {
  const m = result.metrics;
  const timeline = m.timeline as Timeline | undefined;
  const steps = m.steps as Step[] | undefined;
  const members = m.members as SuiteMember[] | undefined;
  const generator = m.generator as
    | ({ valid: boolean; reasons: string[] } & Record<string, unknown>)
    | undefined;
  const errorReasons = m.error_reasons as Record<string, number> | undefined;
  const sections: string[] = [];

  const validity = generator && !generator.valid ? ` ${badge(false, 'INVALID RUN')}` : '';
  sections.push(
    `<h1>${escapeHtml(result.name)} ${badge(result.pass)}${validity}</h1>`,
    `<p class="meta">started ${escapeHtml(result.startedAt)} · ${result.host.cpus} CPUs · ${result.host.memGiB} GiB · Node ${escapeHtml(result.host.node)}</p>`,
  );
  if (result.notes?.length)
    sections.push(`<ul class="notes">${result.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);

  if (result.slo.length > 0) {
    sections.push(
      '<h2>Thresholds</h2>',
      table(
        ['', 'metric', 'target', 'measured'],
        result.slo.map((v) => [
          badge(v.pass),
          escapeHtml(v.metric),
          escapeHtml(`${v.op} ${v.target}`),
          escapeHtml(fmt(v.value)),
        ]),
      ),
    );
  }
  if (members) {
    sections.push(
      '<h2>Scenarios</h2>',
      table(
        ['', 'scenario', 'p95 (ms)', 'error rate', 'report'],
        members.map((s) => [
          badge(s.pass, s.error ? 'ERROR' : s.valid ? undefined : 'INVALID'),
          escapeHtml(s.name),
          escapeHtml(fmt(s.p95_ms)),
          escapeHtml(s.error ?? fmt(s.error_rate)),
          s.error ? '' : `<a href="${escapeHtml(s.report)}">${escapeHtml(s.report)}</a>`,
        ]),
      ),
    );
  }
  if (steps) {
    const rates = steps.map((s) => s.rate);
    sections.push(
      '<h2>Capacity</h2>',
      capacityChart(steps, result.slo, (m.capacity_rps as number | null) ?? null),
    );
    sections.push(
      table(
        ['', 'rate/s', 'achieved/s', 'p50', 'p95', 'p99', 'error rate', 'why not'],
        steps.map((s) => [
          badge(s.held && s.valid, s.valid ? (s.held ? 'HELD' : 'BROKE') : 'GENERATOR'),
          escapeHtml(fmt(s.rate)),
          escapeHtml(fmt(s.achieved_rps)),
          escapeHtml(fmt(s.p50_ms)),
          escapeHtml(fmt(s.p95_ms)),
          escapeHtml(fmt(s.p99_ms)),
          escapeHtml(fmt(s.error_rate)),
          escapeHtml([...s.failed, ...s.generator_reasons].join('; ')),
        ]),
      ),
    );
    if (timeline)
      sections.push(trendChart('latency', timeline, result.slo, rates), throughputChart(timeline));
  } else if (timeline) {
    sections.push('<h2>Over time</h2>');
    const events = (m.fault_marks as EventMark[] | undefined) ?? [];
    for (const trend of Object.keys(timeline.trends))
      sections.push(trendChart(trend, timeline, result.slo, [], events));
    sections.push(throughputChart(timeline), countsChart(timeline, events));
  }
  if (m.autocannon_p50_ms !== undefined) {
    sections.push(
      '<h2>Honesty check (autocannon, same endpoint, rate and request mix)</h2>',
      table(
        ['', 'p50 (ms)', 'p99 (ms)', 'rate/s'],
        [
          [
            'this runner (send latency)',
            fmt(m.runner_send_p50_ms),
            fmt(m.runner_send_p99_ms),
            fmt(m.achieved_rps),
          ],
          ['autocannon', fmt(m.autocannon_p50_ms), fmt(m.autocannon_p99_ms), fmt(m.autocannon_rps)],
        ].map((r) => r.map(escapeHtml)),
      ),
    );
  }
  if (generator) {
    const readings = Object.entries(generator).filter(([k]) => k !== 'valid' && k !== 'reasons');
    sections.push(
      `<h2>Generator health ${badge(generator.valid, generator.valid ? 'VALID' : 'INVALID')}</h2>`,
      generator.reasons.length
        ? `<ul>${generator.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>`
        : '',
      table(
        ['reading', 'value'],
        readings.map(([k, v]) => [escapeHtml(k), escapeHtml(fmt(v))]),
      ),
    );
  }
  if (errorReasons && Object.keys(errorReasons).length > 0) {
    sections.push(
      '<h2>Errors</h2>',
      table(
        ['reason', 'count'],
        Object.entries(errorReasons).map(([k, v]) => [escapeHtml(k), escapeHtml(v)]),
      ),
    );
  }
  sections.push('<h2>Figures</h2>', table(['metric', 'value'], scalarRows(m)));
  sections.push('<h2>Parameters</h2>', `<pre>${escapeHtml(JSON.stringify(result.params, null, 2))}</pre>`);

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(result.name)} · load report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:900px;color:#222;padding:0 12px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}.meta{color:#666}.notes li{margin:2px 0}
.badge{display:inline-block;padding:1px 7px;border-radius:4px;color:#fff;font-size:12px;font-weight:600}
.pass{background:#2e7d32}.fail{background:#c62828}pre{background:#f7f7f7;padding:8px;overflow:auto;font-size:12px}
svg{display:block;margin:12px 0;max-width:100%;height:auto}
</style></head><body>
${sections.join('\n')}
</body></html>
`;
}
