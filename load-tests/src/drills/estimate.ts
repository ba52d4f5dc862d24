import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The capacity model's sheet for a load, as `npm run estimate -- ... --json`
 * prints it. It runs as a child process because @mlsys/capacity depends on
 * this package (for the SLO file): importing it back would make a cycle.
 */
export interface SheetRow {
  section: string;
  what: string;
  value: number | null;
  unit: string;
  source: { kind: string };
}

export interface SheetJson {
  design: string;
  title: string;
  rows: SheetRow[];
  latency?: Array<{ stage: string; p50: SheetRow; p95: SheetRow; p99: SheetRow }>;
}

export type RunEstimate = (args: string[]) => Promise<SheetJson>;

const execFileAsync = promisify(execFile);

/** Runs the estimate CLI of this checkout (through tsx, as `npm run estimate` does). */
export function estimateCli(root: string): RunEstimate {
  return async (args) => {
    const { stdout } = await execFileAsync(
      process.execPath,
      [
        '--conditions=@mlsys/source',
        '--import',
        'tsx',
        join(root, 'packages', 'capacity', 'src', 'cli.ts'),
        ...args,
        '--json',
      ],
      { cwd: root, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
    return JSON.parse(stdout) as SheetJson;
  };
}

/** The value of the sheet's row named `what` (null when absent or not measured). */
export function sheetValue(sheet: SheetJson, what: string): number | null {
  return sheet.rows.find((row) => row.what === what)?.value ?? null;
}

/** The sheet's predicted end-to-end percentile (the last latency row), or null. */
export function sheetLatency(sheet: SheetJson, percentile: 'p50' | 'p95' | 'p99'): number | null {
  return sheet.latency?.at(-1)?.[percentile].value ?? null;
}
