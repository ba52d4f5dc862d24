import { DAY_MS, HOUR_MS, MINUTE_MS } from './time.js';

/**
 * One sliding window, kept as `span / bucket` time buckets. A read at time t
 * covers the bucket holding t and the `span / bucket - 1` before it, so the
 * window reaches back between `span - bucket` and `span`: the price of O(1)
 * state per bucket instead of one entry per event.
 */
export interface WindowSpec {
  readonly name: WindowName;
  readonly spanMs: number;
  readonly bucketMs: number;
}

export type WindowName = '1h' | '1d' | '7d' | '30d';

/**
 * The design's 1h / 24h / 7d windows and the Handbook's 1 / 7 / 30 days.
 * 24h and the Handbook's 1 day are the same window (as are 7d and 7 days), so
 * four windows cover all five names. Bucket widths keep each window near 100
 * buckets: fine enough that the edge error is under 1/60 of the span for 1h.
 */
export const WINDOWS: readonly WindowSpec[] = [
  { name: '1h', spanMs: HOUR_MS, bucketMs: MINUTE_MS },
  { name: '1d', spanMs: DAY_MS, bucketMs: 15 * MINUTE_MS },
  { name: '7d', spanMs: 7 * DAY_MS, bucketMs: HOUR_MS },
  { name: '30d', spanMs: 30 * DAY_MS, bucketMs: 6 * HOUR_MS },
];

/** The longest window: anything older can no longer change a feature. */
export const HORIZON_MS = Math.max(...WINDOWS.map((w) => w.spanMs));
