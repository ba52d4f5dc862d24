import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { dirname } from 'node:path';

export { PathError, valueAt } from './json-path.js';

/** A target such as `p95_ms < 100`. */
export interface SloTarget {
  metric: string;
  op: '<' | '<=' | '>' | '>=';
  target: number;
}

export interface SloVerdict extends SloTarget {
  value: number | null;
  pass: boolean;
}

/** The shape every benchmark and load run writes (see ARCHITECTURE.md, "Results contract"). */
export interface RunResult {
  name: string;
  startedAt: string;
  host: { cpus: number; memGiB: number; node: string };
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  slo: SloVerdict[];
  pass: boolean;
  /** Anything a reader must know to trust the numbers (noisy host, generator saturated, ...). */
  notes?: string[];
}

export function hostInfo(): RunResult['host'] {
  return { cpus: availableParallelism(), memGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
}

export function evaluate(target: SloTarget, value: number | null | undefined): SloVerdict {
  const v = value ?? null;
  let pass = false;
  if (v !== null && Number.isFinite(v)) {
    if (target.op === '<') pass = v < target.target;
    else if (target.op === '<=') pass = v <= target.target;
    else if (target.op === '>') pass = v > target.target;
    else pass = v >= target.target;
  }
  return { ...target, value: v, pass };
}

/** Builds the result, judging each target against the metric of the same name. */
export function buildResult(input: {
  name: string;
  startedAt: Date;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  slo?: SloTarget[];
  notes?: string[];
}): RunResult {
  const slo = (input.slo ?? []).map((t) => {
    const value = input.metrics[t.metric];
    return evaluate(t, typeof value === 'number' ? value : null);
  });
  const result: RunResult = {
    name: input.name,
    startedAt: input.startedAt.toISOString(),
    host: hostInfo(),
    params: input.params,
    metrics: input.metrics,
    slo,
    pass: slo.every((v) => v.pass),
  };
  if (input.notes && input.notes.length > 0) result.notes = input.notes;
  return result;
}

const fmt = (value: unknown): string => {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    return Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(4);
  }
  if (value === null || value === undefined) return '-';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
};

/** A plain-text table of the scalar metrics and the SLO verdicts. */
export function renderTable(result: RunResult): string {
  const rows: [string, string][] = [];
  for (const [key, value] of Object.entries(result.metrics)) {
    if (typeof value !== 'object' || value === null) rows.push([key, fmt(value)]);
  }
  const width = Math.max(6, ...rows.map(([k]) => k.length));
  const lines = [`${result.name}  (${result.startedAt}, ${result.host.cpus} cpus, node ${result.host.node})`];
  for (const [k, v] of rows) lines.push(`  ${k.padEnd(width)}  ${v}`);
  if (result.slo.length > 0) {
    lines.push('  SLO:');
    for (const s of result.slo) {
      lines.push(
        `    ${s.pass ? 'PASS' : 'FAIL'}  ${s.metric} ${s.op} ${s.target}  (measured ${fmt(s.value)})`,
      );
    }
  }
  for (const note of result.notes ?? []) lines.push(`  note: ${note}`);
  return lines.join('\n');
}

/** Writes the JSON file (creating its folder) and prints the table. */
export function writeResult(
  path: string,
  result: RunResult,
  print: (line: string) => void = console.log,
): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  print(renderTable(result));
  print(`  results: ${path}`);
}

/** Percentile of an already sorted array (nearest-rank), in the array's unit. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}
