import { evaluate, type SloTarget, type SloVerdict } from '@mlsys/results';
import { maxMs, meanMs, minMs, percentileMs } from './histogram.js';
import type { MetricKind, Recorder } from './metrics.js';
import type { Tags } from './options.js';

export type Aggregate =
  | { kind: 'percentile'; p: number }
  | { kind: 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' };

/** One parsed threshold, e.g. `latency{scenario:recs}` with `p(95)<100`. */
export interface Threshold {
  key: string;
  expression: string;
  metric: string;
  filter: Tags;
  aggregate: Aggregate;
  op: SloTarget['op'];
  target: number;
  /** The name of its value in the results file, e.g. `p95_ms{scenario:recs}`. */
  resultName: string;
}

/** k6's names for the same measurements, so k6 thresholds read as expected. */
const ALIASES: Record<string, string> = { http_req_duration: 'latency', http_req_failed: 'error_rate' };

const ALLOWED: Record<MetricKind, string> = {
  trend: 'avg, min, max, med or p(N)',
  counter: 'count or rate',
  rate: 'rate',
};

function allowed(kind: MetricKind, aggregate: Aggregate): boolean {
  if (kind === 'trend') return aggregate.kind !== 'count' && aggregate.kind !== 'rate';
  if (kind === 'counter') return aggregate.kind === 'count' || aggregate.kind === 'rate';
  return aggregate.kind === 'rate';
}

function parseKey(key: string): { metric: string; filter: Tags } {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:\{([^}]*)\})?$/.exec(key.trim());
  if (!match) throw new Error(`threshold key "${key}" must look like latency or latency{scenario:recs}`);
  const filter: Tags = {};
  for (const pair of (match[2] ?? '').split(',').filter((p) => p.trim() !== '')) {
    const colon = pair.indexOf(':');
    if (colon <= 0) throw new Error(`threshold key "${key}": tag filter "${pair}" must be name:value`);
    filter[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
  }
  const name = match[1] as string;
  return { metric: ALIASES[name] ?? name, filter };
}

function parseExpression(expression: string): { aggregate: Aggregate; op: SloTarget['op']; target: number } {
  const match =
    /^\s*(avg|min|max|med|count|rate|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i.exec(
      expression,
    );
  if (!match) {
    throw new Error(
      `threshold "${expression}" must be <aggregate><op><number>, e.g. p(95)<100 or rate>=0.999 (ops: <, <=, >, >=)`,
    );
  }
  const name = (match[1] as string).toLowerCase();
  const aggregate: Aggregate =
    match[2] !== undefined ? { kind: 'percentile', p: Number(match[2]) } : { kind: name as 'avg' };
  if (aggregate.kind === 'percentile' && (aggregate.p <= 0 || aggregate.p > 100)) {
    throw new Error(`threshold "${expression}": the percentile must be in (0, 100]`);
  }
  return { aggregate, op: match[3] as SloTarget['op'], target: Number(match[4]) };
}

/** `latency` -> ``, `send_latency` -> `send_`, `decision_latency` -> `decision_`, `start_delay` -> `start_delay_`. */
function trendPrefix(metric: string): string {
  if (metric === 'latency') return '';
  return `${metric.replace(/_latency$/, '')}_`;
}

/** The name a metric's aggregate carries in the results file (`p95_ms`, `decision_p99_ms`, `decisions_per_s`). */
export function resultName(
  metric: string,
  kind: MetricKind,
  aggregate: Aggregate,
  filter: Tags = {},
): string {
  let name: string;
  if (kind === 'trend') {
    const agg = aggregate.kind === 'percentile' ? `p${aggregate.p}` : aggregate.kind;
    name = `${trendPrefix(metric)}${agg}_ms`;
  } else if (kind === 'counter') {
    name = aggregate.kind === 'rate' ? `${metric}_per_s` : metric;
  } else {
    name = metric;
  }
  const tags = Object.keys(filter)
    .sort()
    .map((k) => `${k}:${filter[k]}`);
  return tags.length === 0 ? name : `${name}{${tags.join(',')}}`;
}

/** Parses k6-shaped thresholds against the metrics the run knows; throws naming the entry at fault. */
export function parseThresholds(
  thresholds: Record<string, string[]>,
  kinds: Record<string, MetricKind>,
): Threshold[] {
  const parsed: Threshold[] = [];
  for (const [key, expressions] of Object.entries(thresholds)) {
    const { metric, filter } = parseKey(key);
    const kind = kinds[metric];
    if (!kind) {
      throw new Error(
        `threshold "${key}": no metric named ${metric}; known: ${Object.keys(kinds).sort().join(', ')}`,
      );
    }
    for (const expression of expressions) {
      const { aggregate, op, target } = parseExpression(expression);
      if (!allowed(kind, aggregate)) {
        throw new Error(`threshold "${key}: ${expression}": ${metric} is a ${kind}; use ${ALLOWED[kind]}`);
      }
      parsed.push({
        key,
        expression,
        metric,
        filter,
        aggregate,
        op,
        target,
        resultName: resultName(metric, kind, aggregate, filter),
      });
    }
  }
  return parsed;
}

/** The measured value a threshold is judged on; null when the run recorded nothing for it. */
export function measure(threshold: Threshold, recorder: Recorder, activeSeconds: number): number | null {
  const { metric, filter, aggregate } = threshold;
  switch (aggregate.kind) {
    case 'percentile':
      return percentileMs(recorder.histogram(metric, filter), aggregate.p);
    case 'med':
      return percentileMs(recorder.histogram(metric, filter), 50);
    case 'avg':
      return meanMs(recorder.histogram(metric, filter));
    case 'min':
      return minMs(recorder.histogram(metric, filter));
    case 'max':
      return maxMs(recorder.histogram(metric, filter));
    case 'count':
      return recorder.total(metric, filter);
    case 'rate':
      if (recorder.kinds[metric] === 'rate') return recorder.share(metric, filter);
      return activeSeconds > 0 ? recorder.total(metric, filter) / activeSeconds : null;
  }
}

export function judge(thresholds: Threshold[], recorder: Recorder, activeSeconds: number): SloVerdict[] {
  return thresholds.map((t) =>
    evaluate({ metric: t.resultName, op: t.op, target: t.target }, measure(t, recorder, activeSeconds)),
  );
}

/** SLO metrics that are a share or a per-second rate rather than a latency percentile. */
const RATE_METRICS = new Set(['availability', 'error_rate', 'throughput_tps']);
/** SLO metrics that are a count over the whole run. */
const COUNT_METRICS = new Set(['decisions_lost', 'decisions_duplicated']);

/**
 * A threshold expression from an SLO target, so the number lives only in
 * the SLO file: `p95_ms < 100` becomes `p(95)<100`, `availability >= 0.999`
 * becomes `rate>=0.999`. The scenario decides which metric it applies to.
 */
export function sloThreshold(target: SloTarget): string {
  const percentile = /(?:^|_)p(\d+(?:\.\d+)?)_ms$/.exec(target.metric);
  if (percentile) return `p(${percentile[1]})${target.op}${target.target}`;
  if (RATE_METRICS.has(target.metric)) return `rate${target.op}${target.target}`;
  if (COUNT_METRICS.has(target.metric)) return `count${target.op}${target.target}`;
  throw new Error(
    `SLO metric ${target.metric} has no load-test threshold form (expected pNN_ms, availability, throughput_tps or a decision count)`,
  );
}
