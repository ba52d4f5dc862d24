import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE, ROOT } from './paths.js';
import { requireTool, TOOLS } from './prereqs.js';
import { UserFacingError, withHeartbeat } from './ui.js';

const REQUIREMENTS = join(ROOT, 'infra', 'python', 'requirements.txt');
export const VENV = join(CACHE, 'venv');
export const VENV_PYTHON = join(VENV, 'bin', 'python');

function run(command: string, args: string[], failure: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new UserFacingError(`${failure} (exit ${code})`)),
    );
  });
}

/**
 * The training venv at .cache/venv, built from infra/python/requirements.txt
 * and rebuilt only when that file (or the Python version) changes.
 */
export async function ensurePythonEnv(): Promise<string> {
  const version = requireTool(TOOLS.python);
  const stamp = join(VENV, '.requirements.sha256');
  const digest = createHash('sha256').update(readFileSync(REQUIREMENTS)).update(version).digest('hex');
  if (existsSync(VENV_PYTHON) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest)
    return VENV_PYTHON;

  console.log('  building the Python training environment in .cache/venv (once, a few minutes)');
  rmSync(VENV, { recursive: true, force: true });
  await run(
    'python3',
    ['-m', 'venv', VENV],
    'python3 could not create a virtual environment. Install it: apt-get install -y python3-venv',
  );
  await withHeartbeat(
    'pip install -r infra/python/requirements.txt',
    run(
      VENV_PYTHON,
      ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', REQUIREMENTS],
      'pip could not install the training requirements; see the output above',
    ),
    10_000,
  );
  writeFileSync(stamp, digest);
  return VENV_PYTHON;
}
