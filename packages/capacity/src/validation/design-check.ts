// What the check of one design against its bench gives back, and the small
// readers both designs share: a bench row's measured percentiles, a row's
// measured cores, and a figure as JSON with its source.
import { describeSource, type Figure, flatSource } from '../figure.js';
import type { Pool } from '../pool.js';
import type { ResultFile, Results } from '../results.js';
import type { ComparedRow, Observed } from './compare.js';

export interface DesignCheck {
  /** The load run compared: `recs`, `fraud-sync`, `fraud-http`. */
  design: string;
  /** The results file its rows come from. */
  file: string;
  /** That file's `startedAt`: which run was compared. */
  started_at?: unknown;
  status: 'compared' | 'not measured';
  /** Why a design is not compared. */
  why?: string;
  /** What the share of each row counts. */
  share_meaning: string;
  /** Measured capacity: the rate, the row it comes from, the rule. */
  capacity: { rate: number | null; ref: string | null; rule: string };
  rows: ComparedRow[];
  /** The model's inputs for this design, each with its source (goes into params). */
  model: Record<string, unknown>;
  /** The same configuration measured twice in one run, when the bench did: the noise floor. */
  repeat_runs?: RepeatRun[];
  notes: string[];
}

export interface RepeatRun {
  rate: number;
  first: string;
  second: string;
  /** second / first, measured against measured. */
  ratio: { p95: number | null; p99: number | null };
}

export const notCompared = (design: string, file: string, why: string): DesignCheck => ({
  design,
  file,
  status: 'not measured',
  why,
  share_meaning: '',
  capacity: { rate: null, ref: null, rule: '' },
  rows: [],
  model: {},
  notes: [],
});

/** A figure as JSON: its value (rounded), its unit and where it came from. */
export function figureJson(figure: Figure, digits = 4): Record<string, unknown> {
  const value =
    figure.value === null || !Number.isFinite(figure.value) ? null : Number(figure.value.toFixed(digits));
  const source = figure.source.kind === 'model' ? flatSource(figure.source) : describeSource(figure.source);
  return { value, unit: figure.unit, source };
}

/**
 * A bench row's measured p50/p95/p99 and its fallback share; undefined when
 * one of them is missing from the file.
 */
export function measuredAt(
  results: Results,
  file: ResultFile,
  rowPath: string,
  share: number,
): Observed | undefined {
  const at = (field: string) => results.figure(file, `${rowPath}.${field}`, 'ms').value;
  const [p50, p95, p99] = [at('p50_ms'), at('p95_ms'), at('p99_ms')];
  if (p50 === null || p95 === null || p99 === null) return undefined;
  return { p50_ms: p50, p95_ms: p95, p99_ms: p99, share };
}

/** Cores a row's processes used: CPU per request (in `perSecond` units) x the achieved rate. */
export function measuredCores(
  results: Results,
  file: ResultFile,
  rowPath: string,
  cpuPath: string,
  perSecond: number,
): number | null {
  const cpu = results.figure(file, `${rowPath}.${cpuPath}`, '').value;
  const rate = results.figure(file, `${rowPath}.achieved_rps`, 'req/s').value;
  return cpu === null || rate === null ? null : Number(((cpu * rate) / perSecond).toFixed(3));
}

/** The busiest modelled queue's utilisation ρ (one process per service here). */
export function maxUtilisation(pools: Pool[]): number | null {
  const rhos = pools.map((p) => p.wait?.utilisation);
  if (rhos.some((r) => r === undefined)) return null;
  return Number(Math.max(...(rhos as number[])).toFixed(3));
}
