// What both designs' sheets do the same way: pick a bench's rows below
// saturation, turn a row's CPU per request into cores, turn simulated
// percentiles into figures, and price the fleet.
import type { CpuPoint } from '../cpu-fit.js';
import { type Figure, given, model } from '../figure.js';
import { gbPrice, hoursPerMonth, vcpuPrice } from '../givens.js';
import type { Percentiles } from '../pipeline.js';
import type { ResultFile, Results } from '../results.js';
import type { LatencyRow } from '../sheet.js';

export interface BenchRow {
  /** The row's path, e.g. `metrics.rates[rate=100]`. */
  path: string;
  rate: number;
  /** The share of the row's answers that fell back (degraded, rules-only). */
  fallbackShare: number;
}

export interface RowFilter {
  file: ResultFile;
  /** The array of rows, e.g. `metrics.rates`. */
  arrayPath: string;
  /** The selector naming a row uniquely (docs check syntax), e.g. `rate=100`. */
  selector: (row: Record<string, unknown>) => string;
  /** The rate the row ran at. */
  rateOf: (row: Record<string, unknown>) => unknown;
  /** The share of answers that fell back in the row (undefined: unknown, the row is dropped). */
  fallbackOf: (row: Record<string, unknown>) => number | undefined;
  /** Rows of another kind in the same array (a floor, a pass-through) are filtered out here. */
  where?: (row: Record<string, unknown>) => boolean;
}

/** Every row with a rate and a known fallback share, by rate. */
export function benchRows(results: Results, filter: RowFilter): BenchRow[] {
  return results
    .rows(filter.file, filter.arrayPath)
    .filter((row) => filter.where?.(row) ?? true)
    .filter((row) => typeof filter.rateOf(row) === 'number')
    .flatMap((row) => {
      const share = filter.fallbackOf(row);
      if (share === undefined) return [];
      return [
        {
          path: `${filter.arrayPath}[${filter.selector(row)}]`,
          rate: filter.rateOf(row) as number,
          fallbackShare: share,
        },
      ];
    })
    .sort((a, b) => a.rate - b.rate);
}

/** The rows whose fallback share is at most `maxFallback` (below saturation), by rate. */
export function rowsBelowSaturation(results: Results, filter: RowFilter, maxFallback: number): BenchRow[] {
  return benchRows(results, filter).filter((row) => row.fallbackShare <= maxFallback);
}

/** A row's (rate, cores) for one process, from its CPU per request in ms or µs. */
export function cpuPoint(
  results: Results,
  file: ResultFile,
  row: BenchRow,
  ratePath: string,
  cpuPath: string,
  cpuUnit: 'ms' | 'µs',
): CpuPoint {
  const rate = results.figure(file, `${row.path}.${ratePath}`, 'req/s');
  const cpu = results.figure(file, `${row.path}.${cpuPath}`, cpuUnit);
  const perSecond = cpuUnit === 'ms' ? 1000 : 1_000_000;
  return {
    rate,
    cores: model('cores', `CPU per request x rate`, [cpu, rate], (c, r) => (c * r) / perSecond),
  };
}

/** A row's (rate, cores) for one process when the bench records the cores it used. */
export function coresPoint(
  results: Results,
  file: ResultFile,
  row: BenchRow,
  ratePath: string,
  coresPath: string,
): CpuPoint {
  return {
    rate: results.figure(file, `${row.path}.${ratePath}`, 'req/s'),
    cores: results.figure(file, `${row.path}.${coresPath}`, 'cores'),
  };
}

/** The row with the lowest value at `path` among `rows` (the lightest-loaded calibration point). */
export function lowestBy(
  results: Results,
  file: ResultFile,
  rows: BenchRow[],
  path: string,
): BenchRow | undefined {
  let best: BenchRow | undefined;
  let bestValue = Number.POSITIVE_INFINITY;
  for (const row of rows) {
    const value = results.raw(file, `${row.path}.${path}`);
    if (typeof value === 'number' && value < bestValue) {
      best = row;
      bestValue = value;
    }
  }
  return best;
}

/** A latency row from simulated percentiles; all three not measured when an input is. */
export function latencyRow(
  stage: string,
  formula: string,
  inputs: Figure[],
  percentiles: Percentiles | undefined,
): LatencyRow {
  const at = (p: keyof Percentiles) =>
    model('ms', formula, inputs, () => (percentiles ? percentiles[p] : Number.NaN));
  return { stage, p50: at('p50'), p95: at('p95'), p99: at('p99') };
}

export interface CostLine {
  vcpus: Figure;
  memoryGiB: Figure[];
}

/**
 * Monthly cost of the vCPUs plus the memory that is measured. A memory
 * figure that is not measured is left out, and the formula says so, rather
 * than making the whole cost unknown.
 */
export function monthlyCost(vcpus: Figure, memories: Array<{ what: string; gib: Figure }>): Figure {
  const known = memories.filter((m) => m.gib.value !== null);
  const left = memories.filter((m) => m.gib.value === null).map((m) => m.what);
  const gbPerGib = given(1.073741824, 'GB/GiB', 'GB per GiB (2^30 / 10^9)');
  return model(
    'USD/month',
    `(vCPUs x vCPU-hour + measured GiB x GB-hour) x hours${left.length > 0 ? `; without ${left.join(', ')} (not measured)` : ''}`,
    [vcpus, vcpuPrice(), gbPrice(), gbPerGib, hoursPerMonth(), ...known.map((m) => m.gib)],
    (cpus, cpuPrice, memPrice, gbPer, hours, ...gibs) =>
      (cpus * cpuPrice + gibs.reduce((s, g) => s + g, 0) * gbPer * memPrice) * hours,
  );
}

/** Sum of figures (instances, cores). */
export const sum = (unit: string, what: string, figures: Figure[]): Figure =>
  model(unit, `sum of ${what}`, figures, (...v) => v.reduce((s, x) => s + x, 0));

/** 100000000 -> "100M": the target in a title. */
export function fmtCount(n: number): string {
  for (const [size, suffix] of [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const)
    if (n >= size) return `${Number((n / size).toPrecision(3))}${suffix}`;
  return String(n);
}
