import { type Sample, seriesKey } from './prometheus.js';
import { matches, type Selector } from './selector.js';

interface Scrape {
  at: number;
  byKey: Map<string, Sample>;
}

/** A cumulative histogram bucket: observations <= `le`. */
export interface Bucket {
  le: number;
  count: number;
}

/**
 * One service's scrapes over a sliding window, and what PromQL's
 * `increase()` and `histogram_quantile()` would say over it. Counters are
 * summed step by step between consecutive scrapes, so a restart (a counter
 * that went down) counts from zero rather than as a negative increase, and
 * a series that first appears (the first 500 of a route) counts from zero.
 * The scrape just before the window is kept as its base, so the window is
 * covered from its start.
 */
export class ScrapeHistory {
  private scrapes: Scrape[] = [];
  private lastAttempt: { at: number; error?: string } | undefined;

  constructor(readonly windowMs: number) {}

  record(at: number, samples: readonly Sample[]): void {
    const byKey = new Map<string, Sample>();
    for (const sample of samples) byKey.set(seriesKey(sample), sample);
    this.scrapes.push({ at, byKey });
    this.lastAttempt = { at };
    this.prune(at);
  }

  /** A scrape that failed: the service is down (or not there) until one succeeds. */
  recordFailure(at: number, error: string): void {
    this.lastAttempt = { at, error };
    this.prune(at);
  }

  /** Whether the last scrape answered; undefined before the first attempt. */
  get up(): boolean | undefined {
    return this.lastAttempt === undefined ? undefined : this.lastAttempt.error === undefined;
  }

  get lastError(): string | undefined {
    return this.lastAttempt?.error;
  }

  /** Seconds between the window's base scrape and its newest (0 with fewer than two). */
  spanSeconds(): number {
    const first = this.scrapes[0];
    const last = this.scrapes.at(-1);
    return first && last ? (last.at - first.at) / 1000 : 0;
  }

  /** Summed increase of every series the selector matches (under `name`, e.g. a histogram's `_count`). */
  increase(selector: Selector, name = selector.metric): number {
    let total = 0;
    this.forEachIncrease(selector, name, (_sample, delta) => {
      total += delta;
    });
    return total;
  }

  /** Per-second rate of `increase` over the window; 0 before two scrapes. */
  rate(selector: Selector, name = selector.metric): number {
    const span = this.spanSeconds();
    return span > 0 ? this.increase(selector, name) / span : 0;
  }

  /** The histogram's buckets, increased over the window and summed over the matching series, by `le`. */
  bucketIncreases(histogram: Selector): Bucket[] {
    const byLe = new Map<number, number>();
    this.forEachIncrease(histogram, `${histogram.metric}_bucket`, (sample, delta) => {
      const le = sample.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(sample.labels.le);
      byLe.set(le, (byLe.get(le) ?? 0) + delta);
    });
    return [...byLe.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
  }

  /** The newest values of the matching series (gauges). */
  latest(selector: Selector, name = selector.metric): Sample[] {
    const last = this.scrapes.at(-1);
    if (!last) return [];
    return [...last.byKey.values()].filter((sample) => matches(selector, sample, name));
  }

  private forEachIncrease(
    selector: Selector,
    name: string,
    visit: (sample: Sample, delta: number) => void,
  ): void {
    for (let i = 1; i < this.scrapes.length; i++) {
      const previous = this.scrapes[i - 1]!.byKey;
      for (const [key, sample] of this.scrapes[i]!.byKey) {
        if (!matches(selector, sample, name)) continue;
        const before = previous.get(key)?.value ?? 0;
        const delta = sample.value >= before ? sample.value - before : sample.value;
        visit(sample, delta);
      }
    }
  }

  private prune(now: number): void {
    const start = now - this.windowMs;
    // Keep the newest scrape at or before the window's start as the base.
    let firstKept = 0;
    while (firstKept + 1 < this.scrapes.length && this.scrapes[firstKept + 1]!.at <= start) firstKept++;
    if (firstKept > 0) this.scrapes = this.scrapes.slice(firstKept);
  }
}

/**
 * PromQL's `histogram_quantile`: the bucket holding rank q x total, with
 * linear interpolation inside it (from 0 for the first bucket). A rank in
 * the +Inf bucket answers the highest finite bound, as Prometheus does.
 * Undefined when the buckets hold no observation.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number | undefined {
  if (buckets.length === 0) return undefined;
  const total = buckets.at(-1)!.count;
  if (!(total > 0)) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      if (bucket.le === Number.POSITIVE_INFINITY) return lowerBound;
      const inBucket = bucket.count - lowerCount;
      if (inBucket <= 0) return bucket.le;
      return lowerBound + ((bucket.le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = bucket.le;
    lowerCount = bucket.count;
  }
  return lowerBound;
}
