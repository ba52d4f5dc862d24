// CPU per request, split into what a process burns whatever the load
// (polling consumers, timers, metrics, GC: "fixed cores") and what each
// request adds ("marginal ms"). The benches report CPU per request at each
// rate, and it falls as the rate rises: the fixed part is spread over more
// requests. Dividing by the rate at one point would carry this machine's
// idle cost into every request of a fleet; a straight line through
// (rate, cores used) over the rows below saturation separates the two.
import { type Figure, model, notMeasured } from './figure.js';

/** One row of a bench: the rate it ran at and the cores the process used there. */
export interface CpuPoint {
  rate: Figure;
  cores: Figure;
}

export interface CpuSeries {
  /** Where the points come from, in words (printed in the source). */
  label: string;
  points: CpuPoint[];
}

export interface CpuCost {
  /** CPU ms each request adds. */
  marginalMs: Figure;
  /** Cores the process uses at no load. */
  fixedCores: Figure;
}

function leastSquares(xs: number[], ys: number[]): { slope: number; intercept: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxx === 0 ? Number.NaN : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

const usable = (series: CpuSeries) =>
  series.points.filter((p) => p.rate.value !== null && p.cores.value !== null);

function fitOf(series: CpuSeries): { slope: number; intercept: number } | undefined {
  const points = usable(series);
  if (points.length < 2) return undefined;
  const fit = leastSquares(
    points.map((p) => p.rate.value!),
    points.map((p) => p.cores.value!),
  );
  return Number.isFinite(fit.slope) && fit.slope > 0 ? fit : undefined;
}

/**
 * Fits the first series that gives a rising line (two or more points, slope
 * above zero). When none does (a service whose CPU is all background, or
 * noise larger than the trend), the first series' average at its highest
 * rate is used with no fixed part: every request pays the whole cost, an
 * upper bound.
 */
export function fitCpu(series: CpuSeries[]): CpuCost {
  for (const s of series) {
    const fit = fitOf(s);
    if (!fit) continue;
    const inputs = usable(s).flatMap((p) => [p.rate, p.cores]);
    const values = (v: number[]) => {
      const xs = v.filter((_, i) => i % 2 === 0);
      const ys = v.filter((_, i) => i % 2 === 1);
      return leastSquares(xs, ys);
    };
    return {
      marginalMs: model(
        'ms',
        `fitted slope of cores vs rate (${s.label})`,
        inputs,
        (...v) => values(v).slope * 1000,
      ),
      fixedCores: model('cores', `fitted intercept: cores at no load (${s.label})`, inputs, (...v) =>
        Math.max(0, values(v).intercept),
      ),
    };
  }
  const first = series[0];
  const top = first ? usable(first).sort((a, b) => b.rate.value! - a.rate.value!)[0] : undefined;
  if (!first || !top) {
    const why = `no row with both a rate and a CPU figure in ${series.map((s) => s.label).join(' or ') || 'any series'}`;
    return { marginalMs: notMeasured('ms', why), fixedCores: notMeasured('cores', why) };
  }
  return {
    marginalMs: model(
      'ms',
      `average at the top rate, no rising line (${first.label}): an upper bound`,
      [top.cores, top.rate],
      (cores, rate) => (cores / rate) * 1000,
    ),
    fixedCores: model('cores', 'none (the average above carries it)', [top.cores], () => 0),
  };
}
