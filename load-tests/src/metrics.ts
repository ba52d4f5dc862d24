import { type Histogram, latencyHistogram, merge, percentileMs, recordMs } from './histogram.js';
import type { Tags } from './options.js';

/** k6's metric types: a Trend has percentiles, a Counter a count and a rate, a Rate a share of hits. */
export type MetricKind = 'trend' | 'counter' | 'rate';

/** The metrics every run records; workloads declare their own next to these. */
export const BUILTIN_METRICS = {
  /** From the scheduled start to the end of the response: what a user waiting in the queue sees. */
  latency: 'trend',
  /** From the moment the request left (written to the socket, or handed to Kafka) to its end. */
  send_latency: 'trend',
  /** From the scheduled start to the moment the generator started the iteration. */
  start_delay: 'trend',
  iterations: 'counter',
  dropped_iterations: 'counter',
  late_starts: 'counter',
  interrupted_iterations: 'counter',
  error_rate: 'rate',
  availability: 'rate',
} as const satisfies Record<string, MetricKind>;

/** What a workload records its own metrics through (decision latency, lost decisions, ...). */
export interface MetricsSink {
  /** `atMs` (ms since the run started) places the value on the per-second timeline. */
  trend(name: string, ms: number, tags?: Tags, atMs?: number): void;
  count(name: string, n?: number, tags?: Tags): void;
  rate(name: string, hit: boolean, tags?: Tags): void;
  /** Counts a failure the report should name (`status 503`, `decisions consumer crashed: ...`). */
  errorReason(reason: string): void;
  /**
   * Adds to a named per-second count on the timeline (`answered_pipeline`,
   * `answered_rules_only`), placed at the second `atMs` falls in: what the
   * report charts over time, beside offered / completed / failed.
   */
  tally(name: string, atMs: number, n?: number): void;
}

interface Tagged<V> {
  tags: Tags;
  value: V;
}

function tagKey(tags: Tags): string {
  return Object.keys(tags)
    .sort()
    .map((k) => `${k}=${tags[k]}`)
    .join(',');
}

function matches(tags: Tags, filter: Tags): boolean {
  return Object.entries(filter).every(([k, v]) => tags[k] === v);
}

/** One metric's values, kept apart per distinct tag set so that thresholds can filter on tags. */
class TaggedSeries<V> {
  private readonly byTags = new Map<string, Tagged<V>>();

  constructor(private readonly create: () => V) {}

  at(tags: Tags): V {
    const key = tagKey(tags);
    let entry = this.byTags.get(key);
    if (!entry) {
      entry = { tags: { ...tags }, value: this.create() };
      this.byTags.set(key, entry);
    }
    return entry.value;
  }

  *matching(filter: Tags): Generator<V> {
    for (const entry of this.byTags.values()) if (matches(entry.tags, filter)) yield entry.value;
  }
}

/** Per-second counts and latency histograms: the data behind the report's time charts. */
export interface TimelineSecond {
  offered: number;
  completed: number;
  errors: number;
  dropped: number;
  trends: Map<string, Histogram>;
  counts: Map<string, number>;
}

export interface TimelineSnapshot {
  seconds: number[];
  offered: number[];
  completed: number[];
  errors: number[];
  dropped: number[];
  /** Per trend, p50/p95/p99 in ms for each second (null where the second had no sample). */
  trends: Record<string, { p50: (number | null)[]; p95: (number | null)[]; p99: (number | null)[] }>;
  /** Named per-second counts a workload tallied (absent when none did), 0 where a second had none. */
  counts?: Record<string, number[]>;
}

const round3 = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);

/** Most distinct error reasons kept; the rest are summed under "other". */
const MAX_ERROR_REASONS = 20;

/**
 * Everything one run measures. The runner writes the built-in metrics, a
 * workload its own through the `MetricsSink` methods, and the live counters
 * feed the progress line while the run goes.
 */
export class Recorder implements MetricsSink {
  readonly kinds: Record<string, MetricKind>;
  readonly live = { inFlight: 0, completed: 0, errors: 0, dropped: 0 };
  private readonly trends = new Map<string, TaggedSeries<Histogram>>();
  private readonly counters = new Map<string, TaggedSeries<{ n: number }>>();
  private readonly rates = new Map<string, TaggedSeries<{ hits: number; total: number }>>();
  private readonly timeline: TimelineSecond[] = [];
  private readonly reasons = new Map<string, number>();
  /** `latency` of the iterations completed since the last `takeRecentLatency()`: the live view. */
  private recentLatency: Histogram | undefined;

  constructor(custom: Record<string, MetricKind> = {}) {
    this.kinds = { ...BUILTIN_METRICS, ...custom };
  }

  private kindOf(name: string, expected: MetricKind): void {
    const kind = this.kinds[name];
    if (kind !== expected) {
      throw new Error(
        `metric "${name}" is ${kind ? `a ${kind}` : 'not declared'}; it cannot be recorded as a ${expected}`,
      );
    }
  }

  /** The timeline's bucket for the second `atMs` (ms since the run started) falls in. */
  second(atMs: number): TimelineSecond {
    const index = Math.max(0, Math.floor(atMs / 1000));
    while (this.timeline.length <= index) {
      this.timeline.push({
        offered: 0,
        completed: 0,
        errors: 0,
        dropped: 0,
        trends: new Map(),
        counts: new Map(),
      });
    }
    return this.timeline[index] as TimelineSecond;
  }

  trend(name: string, ms: number, tags: Tags = {}, atMs?: number): void {
    this.kindOf(name, 'trend');
    let series = this.trends.get(name);
    if (!series) {
      series = new TaggedSeries(() => latencyHistogram());
      this.trends.set(name, series);
    }
    recordMs(series.at(tags), ms);
    if (name === 'latency') {
      this.recentLatency ??= latencyHistogram('timeline');
      recordMs(this.recentLatency, ms);
    }
    if (atMs !== undefined) {
      const perSecond = this.second(atMs).trends;
      let h = perSecond.get(name);
      if (!h) {
        h = latencyHistogram('timeline');
        perSecond.set(name, h);
      }
      recordMs(h, ms);
    }
  }

  count(name: string, n = 1, tags: Tags = {}): void {
    this.kindOf(name, 'counter');
    let series = this.counters.get(name);
    if (!series) {
      series = new TaggedSeries(() => ({ n: 0 }));
      this.counters.set(name, series);
    }
    series.at(tags).n += n;
  }

  rate(name: string, hit: boolean, tags: Tags = {}): void {
    this.kindOf(name, 'rate');
    let series = this.rates.get(name);
    if (!series) {
      series = new TaggedSeries(() => ({ hits: 0, total: 0 }));
      this.rates.set(name, series);
    }
    const value = series.at(tags);
    value.total += 1;
    if (hit) value.hits += 1;
  }

  tally(name: string, atMs: number, n = 1): void {
    const counts = this.second(atMs).counts;
    counts.set(name, (counts.get(name) ?? 0) + n);
  }

  /**
   * The `latency` of the iterations that completed since the last call, and a fresh start. The
   * timeline files each iteration under the second it was due, so its last seconds keep changing
   * while late answers come in; this window is by completion, so it is final when taken: what a
   * live chart can draw each second.
   */
  takeRecentLatency(): Histogram | undefined {
    const recent = this.recentLatency;
    this.recentLatency = undefined;
    return recent;
  }

  /** Counts why iterations failed (`status 503`, `ECONNREFUSED`, ...) for the report. */
  errorReason(reason: string): void {
    const key = this.reasons.has(reason) || this.reasons.size < MAX_ERROR_REASONS ? reason : 'other';
    this.reasons.set(key, (this.reasons.get(key) ?? 0) + 1);
  }

  /** The trend's values over every tag set matching the filter, merged. */
  histogram(name: string, filter: Tags = {}): Histogram | undefined {
    const series = this.trends.get(name);
    return series ? merge(series.matching(filter)) : undefined;
  }

  total(name: string, filter: Tags = {}): number {
    let sum = 0;
    for (const value of this.counters.get(name)?.matching(filter) ?? []) sum += value.n;
    return sum;
  }

  /** Share of hits, or null when nothing was recorded under the filter. */
  share(name: string, filter: Tags = {}): number | null {
    let hits = 0;
    let total = 0;
    for (const value of this.rates.get(name)?.matching(filter) ?? []) {
      hits += value.hits;
      total += value.total;
    }
    return total === 0 ? null : hits / total;
  }

  errorReasons(): Record<string, number> {
    return Object.fromEntries([...this.reasons.entries()].sort((a, b) => b[1] - a[1]));
  }

  timelineSnapshot(): TimelineSnapshot {
    const snapshot: TimelineSnapshot = {
      seconds: [],
      offered: [],
      completed: [],
      errors: [],
      dropped: [],
      trends: {},
    };
    const names = new Set<string>();
    const countNames = new Set<string>();
    for (const s of this.timeline) {
      for (const name of s.trends.keys()) names.add(name);
      for (const name of s.counts.keys()) countNames.add(name);
    }
    if (countNames.size > 0)
      snapshot.counts = Object.fromEntries(
        [...countNames].sort().map((name) => [name, this.timeline.map((s) => s.counts.get(name) ?? 0)]),
      );
    for (const name of names) snapshot.trends[name] = { p50: [], p95: [], p99: [] };
    this.timeline.forEach((s, i) => {
      snapshot.seconds.push(i);
      snapshot.offered.push(s.offered);
      snapshot.completed.push(s.completed);
      snapshot.errors.push(s.errors);
      snapshot.dropped.push(s.dropped);
      for (const name of names) {
        const h = s.trends.get(name);
        const series = snapshot.trends[name] as TimelineSnapshot['trends'][string];
        series.p50.push(round3(percentileMs(h, 50)));
        series.p95.push(round3(percentileMs(h, 95)));
        series.p99.push(round3(percentileMs(h, 99)));
      }
    });
    return snapshot;
  }
}
