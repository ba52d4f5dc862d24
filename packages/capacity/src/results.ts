// The measured inputs: the committed results files of `npm run bench`, read
// once and looked up by path. A file that is absent or unreadable, and a
// path with no number at it, give a `not measured` figure naming the file and
// the path, never an error: a sheet with gaps is still a sheet.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { valueAt } from '@mlsys/results';
import { type Figure, measured, notMeasured } from './figure.js';

/** The results files the model reads, by repository path (as the docs check names them). */
export const RESULT_FILES = {
  ann: 'bench/results/ann.json',
  recs: 'bench/results/recs.json',
  recsOffline: 'bench/results/recs-offline.json',
  fraud: 'bench/results/fraud.json',
  fraudSync: 'bench/results/fraud-sync.json',
  fraudOffline: 'bench/results/fraud-offline.json',
} as const;

export type ResultFile = (typeof RESULT_FILES)[keyof typeof RESULT_FILES];

export class Results {
  /** Parsed files by repository path; an Error for one that could not be read. */
  constructor(private readonly files: ReadonlyMap<string, unknown>) {}

  /** Reads every file of RESULT_FILES under the repository root. */
  static load(root: string): Results {
    const files = new Map<string, unknown>();
    for (const file of Object.values(RESULT_FILES)) {
      const path = join(root, file);
      if (!existsSync(path)) {
        files.set(file, new Error(`${file} does not exist (run its benchmark: npm run bench -- <name>)`));
        continue;
      }
      try {
        files.set(file, JSON.parse(readFileSync(path, 'utf8')));
      } catch (error) {
        files.set(file, new Error(`${file} is not JSON: ${(error as Error).message}`));
      }
    }
    return new Results(files);
  }

  /** Results made of given objects (tests), keyed by repository path. */
  static of(files: Record<string, unknown>): Results {
    return new Results(new Map(Object.entries(files)));
  }

  /** The raw value at a path, or undefined when the file or the path is missing. */
  raw(file: ResultFile, path: string): unknown {
    const root = this.files.get(file);
    if (root === undefined || root instanceof Error) return undefined;
    try {
      return valueAt(root, path);
    } catch {
      return undefined;
    }
  }

  /** The number at `file#path` as a measured figure, or `not measured` saying why. */
  figure(file: ResultFile, path: string, unit: string): Figure {
    const root = this.files.get(file);
    if (root === undefined) return notMeasured(unit, `${file} was not read`);
    if (root instanceof Error) return notMeasured(unit, root.message);
    let value: unknown;
    try {
      value = valueAt(root, path);
    } catch (error) {
      return notMeasured(unit, `${file}: ${(error as Error).message}`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value))
      return notMeasured(unit, `${file}#${path} is not a number`);
    return measured(value, unit, `${file}#${path}`);
  }

  /** The array at a path (rows of a sweep), empty when missing. */
  rows(file: ResultFile, path: string): Record<string, unknown>[] {
    const value = this.raw(file, path);
    return Array.isArray(value) ? (value.filter((v) => typeof v === 'object' && v !== null) as never) : [];
  }
}
