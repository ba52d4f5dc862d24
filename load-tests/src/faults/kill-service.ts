import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { checkedProcess, KillRefused, type ProcessControl } from './process-check.js';

/**
 * The crash a failure-injection scenario injects: SIGKILL to one service of
 * the stack `npm start` runs, whose supervisor (infra/src/commands/start.ts)
 * then restarts it. Only a pid read from this checkout's pid file is ever
 * signalled, and only when that process's command line runs the service's
 * own entry point: a stale pid file whose pid now belongs to another program
 * is refused, never killed.
 */

/** The services the scenario may crash; txn-api is the target being measured, so it is not one. */
export const KILLABLE_SERVICES = ['fraud-scorer', 'feature-engine'] as const;
export type KillableService = (typeof KILLABLE_SERVICES)[number];

/** Where the stack keeps what identifies a service's process (mirrors infra/src/paths.ts and start.ts). */
export interface StackLayout {
  /** The checkout's root: pid files in `.cache/stack/pids/`, entry points in `services/<name>/dist/main.js`. */
  root: string;
}

export const pidFileOf = (layout: StackLayout, service: string) =>
  join(resolve(layout.root), '.cache', 'stack', 'pids', `${service}.pid`);

export const entryPointOf = (layout: StackLayout, service: string) =>
  join(resolve(layout.root), 'services', service, 'dist', 'main.js');

export { KillRefused, type ProcessControl } from './process-check.js';

export interface ServiceProcess {
  service: string;
  pid: number;
  pidFile: string;
  commandLine: string[];
}

/**
 * Finds the service's running process from its pid file and checks its command line; refuses
 * otherwise. `allowed` and `action` name another fault's services (the throttle's), so its
 * refusals say what was refused.
 */
export async function findServiceProcess(
  service: string,
  layout: StackLayout,
  control: ProcessControl,
  fault: { allowed: readonly string[]; action: string; done: string } = {
    allowed: KILLABLE_SERVICES,
    action: 'kill',
    done: 'killed',
  },
): Promise<ServiceProcess> {
  if (!fault.allowed.includes(service)) {
    throw new KillRefused(
      `refusing to ${fault.action} "${service}": only ${fault.allowed.join(', ')} may be ${fault.done}`,
    );
  }
  const entry = entryPointOf(layout, service);
  const found = await checkedProcess(
    {
      name: service,
      pidFile: pidFileOf(layout, service),
      action: fault.action,
      kind: 'service',
      startCommand: '`npm start`',
      expected: `${service}'s entry point ${entry}`,
      matches: (commandLine) => commandLine.includes(entry),
    },
    control,
  );
  return { service, pid: found.pid, pidFile: found.pidFile, commandLine: found.commandLine };
}

/** SIGKILLs the service's process after checking it again; returns what was killed. */
export async function killService(
  service: string,
  layout: StackLayout,
  control: ProcessControl,
): Promise<ServiceProcess> {
  const target = await findServiceProcess(service, layout, control);
  control.kill(target.pid, 'SIGKILL');
  return target;
}

const execFileAsync = promisify(execFile);

/** The real operating system: argv from /proc on Linux, from `ps` elsewhere. */
export const systemProcessControl: ProcessControl = {
  async commandLine(pid) {
    const proc = `/proc/${pid}/cmdline`;
    if (existsSync('/proc/self/cmdline')) {
      try {
        const argv = (await readFile(proc, 'utf8')).split('\0');
        if (argv.at(-1) === '') argv.pop();
        return argv.length > 0 ? argv : undefined;
      } catch {
        return undefined;
      }
    }
    try {
      const { stdout } = await execFileAsync('ps', ['-ww', '-o', 'args=', '-p', String(pid)], {
        timeout: 5000,
      });
      const line = stdout.trim();
      // Split on blanks: an entry point path with a space then never matches, so it is refused, not guessed.
      return line === '' ? undefined : line.split(/\s+/);
    } catch {
      return undefined;
    }
  },
  kill(pid, signal) {
    process.kill(pid, signal);
  },
};
