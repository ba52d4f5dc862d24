import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths.js';

export const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

/** Runs a command with inherited output and resolves with its exit code. */
export function runInherit(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd = ROOT,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Runs a TypeScript entry point through tsx, resolving workspace packages to their sources. */
export const runTs = (file: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  runInherit(bin('tsx'), ['--conditions=@mlsys/source', join(ROOT, file), ...args], env);
