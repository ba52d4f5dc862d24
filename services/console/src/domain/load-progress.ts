/**
 * What the console reads from a load run it started: the runner's progress
 * line (printed about once a second, `load-tests/src/progress.ts`) while it
 * goes, and the per-second timeline of its result file once it is done. The
 * line carries the last second's completion rate, the p50/p95/p99 of the
 * requests completed in that second, and the p95 of the run so far. The
 * result files each request under the second it was due instead, which is
 * final only once every late answer is in: so the live chart is by completion
 * and the finished run's chart by schedule.
 */

/** One progress line, parsed. */
export interface LoadSample {
  /** Seconds into the measured run (past `totalS` while it drains). */
  elapsedS: number;
  totalS: number;
  draining: boolean;
  /** Iterations completed in the last second. */
  ratePerS: number;
  inFlight: number;
  /** p95 of every request of the run so far, in ms (null before the first answer). */
  p95SoFarMs: number | null;
  /** p50/p95/p99 in ms of the requests completed in the last second (null when none completed). */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  errors: number;
}

// `[recs-steady]    12s/60s  rate   200/s  in-flight    3  p95 4.1 ms  last 1s p50/p95/p99 2.0/8.2/12.0 ms  errors 0 (0.00 %)  cpu 12 %`
// `[recs-steady]    61s draining  rate     0/s  in-flight    1  p95 -  last 1s -  errors ...`
const PROGRESS =
  /^\[[^\]]+\]\s+(\d+)s(?:\/(\d+)s| (draining))\s+rate\s+(\d+)\/s\s+in-flight\s+(\d+)\s+p95 (?:([\d.]+) ms|-)\s+last 1s (?:p50\/p95\/p99 ([\d.]+)\/([\d.]+)\/([\d.]+) ms|-)\s+errors (\d+)/;

/** The sample a progress line carries, or undefined for any other line (warm-up notice, result table). */
export function parseProgressLine(line: string, totalS: number): LoadSample | undefined {
  const m = PROGRESS.exec(line);
  if (!m) return undefined;
  return {
    elapsedS: Number(m[1]),
    totalS: m[2] === undefined ? totalS : Number(m[2]),
    draining: m[3] !== undefined,
    ratePerS: Number(m[4]),
    inFlight: Number(m[5]),
    p95SoFarMs: m[6] === undefined ? null : Number(m[6]),
    p50Ms: m[7] === undefined ? null : Number(m[7]),
    p95Ms: m[8] === undefined ? null : Number(m[8]),
    p99Ms: m[9] === undefined ? null : Number(m[9]),
    errors: Number(m[10]),
  };
}

/** One second of a finished run: completed iterations and the latency percentiles of that second. */
export interface LoadSecond {
  second: number;
  completed: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface LoadOutcome {
  pass: boolean;
  /** The trend the per-second percentiles are of (`latency`; `decision_latency` for fraud-stream). */
  trend: string | undefined;
  seconds: LoadSecond[];
  /** Each threshold's verdict, as the report's table shows it. */
  slo: Array<{ metric: string; op: string; target: number; value: number | null; pass: boolean }>;
}

interface ResultTimeline {
  seconds?: number[];
  completed?: number[];
  errors?: number[];
  trends?: Record<string, { p50?: (number | null)[]; p95?: (number | null)[]; p99?: (number | null)[] }>;
}

/**
 * The trend a scenario is judged on, from its first latency threshold's name in the result
 * (`p95_ms{scenario:recommendations}` is `latency`, `decision_p99_ms` is `decision_latency`,
 * as load-tests/src/thresholds.ts names them): fraud-stream's produce call says little.
 */
function judgedTrend(
  trends: Record<string, unknown>,
  slo: ReadonlyArray<{ metric: string }>,
): string | undefined {
  for (const { metric } of slo) {
    const m = /^(?:(.+)_)?p\d+_ms(?:\{.*\})?$/.exec(metric);
    if (!m) continue;
    const prefix = m[1];
    const named = prefix === undefined ? ['latency'] : [`${prefix}_latency`, prefix];
    const found = named.find((name) => name in trends);
    if (found) return found;
  }
  return 'latency' in trends ? 'latency' : Object.keys(trends)[0];
}

/** Reads the results-contract file the runner wrote (`<scenario>.json`) into what the chart draws. */
export function loadOutcome(result: unknown): LoadOutcome {
  const body = (result ?? {}) as {
    pass?: boolean;
    metrics?: { timeline?: ResultTimeline };
    slo?: LoadOutcome['slo'];
  };
  const timeline = body.metrics?.timeline ?? {};
  const slo = Array.isArray(body.slo) ? body.slo : [];
  const trends = timeline.trends ?? {};
  const trend = judgedTrend(trends, slo);
  const series = trend === undefined ? undefined : trends[trend];
  const seconds = (timeline.seconds ?? []).map(
    (second, i): LoadSecond => ({
      second,
      completed: timeline.completed?.[i] ?? 0,
      errors: timeline.errors?.[i] ?? 0,
      p50Ms: series?.p50?.[i] ?? null,
      p95Ms: series?.p95?.[i] ?? null,
      p99Ms: series?.p99?.[i] ?? null,
    }),
  );
  return { pass: body.pass === true, trend, seconds, slo };
}
