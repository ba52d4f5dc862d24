import { build, type Histogram } from 'hdr-histogram-js';

export type { Histogram };

/**
 * Latencies are kept in HdrHistograms of whole microseconds: constant
 * memory whatever the request count, relative error bounded by the number of
 * significant digits, and histograms that add up exactly (per tag set, per second).
 */
export function latencyHistogram(precision: 'summary' | 'timeline' = 'summary'): Histogram {
  return build({
    // Per-second histograms only feed the charts: 2 digits (1 %) in packed
    // buckets keep an hour-long run's timeline to a few MB.
    bitBucketSize: precision === 'summary' ? 32 : 'packed',
    numberOfSignificantValueDigits: precision === 'summary' ? 3 : 2,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    autoResize: true,
  });
}

export function recordMs(histogram: Histogram, ms: number): void {
  // 1 µs is the floor: HdrHistogram cannot place 0, and nothing we time is faster.
  histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
}

/** Percentile in milliseconds, or null when nothing was recorded. */
export function percentileMs(histogram: Histogram | undefined, p: number): number | null {
  if (!histogram || histogram.totalCount === 0) return null;
  return histogram.getValueAtPercentile(p) / 1000;
}

export function meanMs(histogram: Histogram | undefined): number | null {
  if (!histogram || histogram.totalCount === 0) return null;
  return histogram.mean / 1000;
}

export function minMs(histogram: Histogram | undefined): number | null {
  if (!histogram || histogram.totalCount === 0) return null;
  return histogram.minNonZeroValue / 1000;
}

export function maxMs(histogram: Histogram | undefined): number | null {
  if (!histogram || histogram.totalCount === 0) return null;
  return histogram.maxValue / 1000;
}

export function merge(histograms: Iterable<Histogram>): Histogram | undefined {
  let merged: Histogram | undefined;
  for (const h of histograms) {
    merged ??= latencyHistogram();
    merged.add(h);
  }
  return merged;
}
