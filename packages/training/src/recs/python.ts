import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/training/python: on PYTHONPATH, so the scripts import `shared` (the progress lines). */
const PYTHON_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'python');

/** Where the recs Python scripts live (packages/training/python/recs). */
export const RECS_PYTHON_DIR = join(PYTHON_ROOT, 'recs');

/** Command-line options of a script, `{ outDir: 'x', m: 16 }` -> `--out-dir x --m 16`. */
export type ScriptOptions = Record<string, string | number>;

function toArgs(options: ScriptOptions): string[] {
  return Object.entries(options).flatMap(([name, value]) => [
    `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    String(value),
  ]);
}

/**
 * Runs `python/recs/<script>` with the repository's venv. Its progress lines
 * go straight to our stderr; a non-zero exit becomes an error naming the
 * script, so the pipeline stops at the step that failed.
 */
export async function runPythonScript(root: string, script: string, options: ScriptOptions): Promise<void> {
  const python = join(root, '.cache', 'venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(
      `the Python training environment is missing (${python}); \`npm start\` builds it from infra/python/requirements.txt`,
    );
  }
  const child = spawn(python, [join(RECS_PYTHON_DIR, script), ...toArgs(options)], {
    cwd: RECS_PYTHON_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PYTHONPATH: PYTHON_ROOT },
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`python/recs/${script} failed (exit ${code}); see its output above`);
}
