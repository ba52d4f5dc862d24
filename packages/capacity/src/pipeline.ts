// Stages in series: a request's latency is the sum of its stages' times,
// each the stage's unloaded time (measured on this machine at its lightest
// load) plus the queueing waits at the services it passes at the target
// load. A stage past its deadline is cut there and falls back, as the
// gateway does; a fallback can skip later stages (the recs ranker is skipped
// when candidates fall back). Percentiles come from seeded draws, so the
// same inputs give the same sheet.
//
// Assumptions: stages are independent (on a busy host they are not: a slow
// moment slows them all, so the end-to-end tail here is optimistic), and the
// slowest of k parallel copies (index shards) is drawn as the k-th order
// statistic of the unloaded time plus that of the wait, an upper bound of
// the slowest sum that is tight when waits are short.
import { percentileOf, seededUniform } from './distributions.js';
import type { MgcWait } from './queueing.js';

export interface QueueVisit {
  wait: MgcWait;
  /** Parallel copies the request waits on, all of them (fan-out); 1 for a plain call. */
  copies: number;
}

export interface StageSpec {
  name: string;
  /** One draw of the stage's unloaded time in ms, from uniforms in (0, 1). */
  draw: (uniform: () => number) => number;
  queues: QueueVisit[];
  deadlineMs?: number;
  /** Stages skipped when this one falls back. */
  skipsOnFallback?: string[];
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

export interface PipelineResult {
  stages: Array<Percentiles & { name: string; fallbackShare: number; skippedShare: number }>;
  total: Percentiles;
  /** Share of requests where at least one stage fell back. */
  fallbackShare: number;
  /** Share of requests whose total is above `ms`. */
  totalShareAbove(ms: number): number;
}

/** The slowest of `copies` draws of a quantile function, from one uniform: F⁻¹(u^(1/copies)). */
export const slowestOf = (quantile: (p: number) => number, copies: number, u: number): number =>
  quantile(copies === 1 ? u : u ** (1 / copies));

export function simulatePipeline(stages: StageSpec[], samples: number, seed: number): PipelineResult {
  const uniform = seededUniform(seed);
  const times = stages.map(() => new Float64Array(samples));
  const ran = stages.map(() => 0);
  const fellBack = stages.map(() => 0);
  const totals = new Float64Array(samples);
  let anyFallback = 0;
  for (let i = 0; i < samples; i++) {
    const skipped = new Set<string>();
    let total = 0;
    let fallback = false;
    stages.forEach((stage, s) => {
      if (skipped.has(stage.name)) return;
      let t = stage.draw(uniform);
      for (const q of stage.queues) t += slowestOf((p) => q.wait.quantileMs(p), q.copies, uniform());
      if (stage.deadlineMs !== undefined && t > stage.deadlineMs) {
        t = stage.deadlineMs;
        fellBack[s]! += 1;
        fallback = true;
        for (const name of stage.skipsOnFallback ?? []) skipped.add(name);
      }
      times[s]![ran[s]!] = t;
      ran[s]! += 1;
      total += t;
    });
    totals[i] = total;
    if (fallback) anyFallback += 1;
  }
  const percentiles = (values: Float64Array): Percentiles => {
    const sorted = values.sort();
    return { p50: percentileOf(sorted, 50), p95: percentileOf(sorted, 95), p99: percentileOf(sorted, 99) };
  };
  const sortedTotals = totals.sort();
  const totalShareAbove = (ms: number) => {
    let low = 0;
    let high = sortedTotals.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (sortedTotals[mid]! <= ms) low = mid + 1;
      else high = mid;
    }
    return (sortedTotals.length - low) / sortedTotals.length;
  };
  return {
    stages: stages.map((stage, s) => ({
      name: stage.name,
      ...percentiles(times[s]!.subarray(0, ran[s]!)),
      fallbackShare: fellBack[s]! / samples,
      skippedShare: 1 - ran[s]! / samples,
    })),
    total: percentiles(sortedTotals),
    fallbackShare: anyFallback / samples,
    totalShareAbove,
  };
}
