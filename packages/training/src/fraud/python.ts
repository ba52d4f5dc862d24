import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * packages/training/python: the fraud scripts run as modules of the `fraud`
 * package from here, which also puts `shared` (the progress lines) on the path.
 */
export const PYTHON_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'python');

/**
 * Runs `python -m fraud.<module>` with the repository's venv. Its progress
 * lines go straight to our output; a non-zero exit becomes an error naming
 * the module, so the pipeline stops at the step that failed.
 */
export async function runFraudPython(root: string, module: string, args: readonly string[]): Promise<void> {
  const python = join(root, '.cache', 'venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(
      `the Python training environment is missing (${python}); \`npm run infra -- prepare fraud\` or \`npm start\` builds it from infra/python/requirements.txt`,
    );
  }
  const child = spawn(python, ['-m', `fraud.${module}`, ...args], {
    cwd: PYTHON_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`python -m fraud.${module} failed (exit ${code}); see its output above`);
}
