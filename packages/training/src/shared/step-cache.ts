import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * Input-hash caching of pipeline steps. A step's key hashes its parameters,
 * the keys of the steps it reads from, and the source files that implement
 * it; when the stamp on disk holds the same key and the outputs still exist,
 * the step is skipped and its recorded result reused.
 */
export interface StepStamp<R> {
  key: string;
  finishedAt: string;
  result: R;
}

export interface CachedStep<R> {
  /** Stamp file (JSON). */
  stampPath: string;
  key: string;
  /** Files or folders that must exist for the stamp to count. */
  outputs: readonly string[];
  force: boolean;
  run: () => Promise<R>;
  onSkip: () => void;
}

/** The stamp's recorded result when it holds `key` and every output exists, else undefined. */
export function freshResult<R>(
  stampPath: string,
  key: string,
  outputs: readonly string[],
): { result: R } | undefined {
  if (!existsSync(stampPath) || !outputs.every((p) => existsSync(p))) return undefined;
  const stamp = JSON.parse(readFileSync(stampPath, 'utf8')) as StepStamp<R>;
  return stamp.key === key ? { result: stamp.result } : undefined;
}

export async function cachedStep<R>(step: CachedStep<R>): Promise<R> {
  const fresh = step.force ? undefined : freshResult<R>(step.stampPath, step.key, step.outputs);
  if (fresh) {
    step.onSkip();
    return fresh.result;
  }
  const result = await step.run();
  mkdirSync(dirname(step.stampPath), { recursive: true });
  const stamp: StepStamp<R> = { key: step.key, finishedAt: new Date().toISOString(), result };
  writeFileSync(step.stampPath, `${JSON.stringify(stamp, null, 2)}\n`);
  return result;
}

export function hashJson(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** Only code decides outputs; editing a README next to it must not regenerate data or rebuild an index. */
const CODE_FILE = /\.(ts|py)$/;

/**
 * Hash of the contents of source files and folders (recursively, sorted),
 * relative to `root` so the key does not depend on where the repo lives.
 */
export function hashSources(root: string, paths: readonly string[]): string {
  const hash = createHash('sha256');
  const visit = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (entry !== '__pycache__' && entry !== 'node_modules') visit(join(path, entry));
      }
      return;
    }
    if (CODE_FILE.test(path))
      hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
  };
  for (const path of paths) visit(join(root, path));
  return hash.digest('hex');
}
