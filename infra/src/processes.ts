import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  pidFile: string;
}

export type ExitListener = (code: number | null, signal: NodeJS.Signals | null) => void;

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

/** Last lines of a log, to show next to a failure. */
export function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * A server or service run in its own process group, with its output in a
 * log file and its pid in a pid file. The group keeps Ctrl-C in the terminal
 * from reaching it directly, so the runner can stop things in order
 * (services, then Kafka, then Redis); the pid file lets the next run clean
 * up after a runner that was killed.
 */
export class ManagedProcess {
  private exitListeners: ExitListener[] = [];
  private stopping = false;
  private exited: Promise<void>;

  private constructor(
    readonly spec: ProcessSpec,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        rmSync(spec.pidFile, { force: true });
        if (!this.stopping) for (const listener of this.exitListeners) listener(code, signal);
        resolve();
      });
    });
  }

  static start(spec: ProcessSpec, options: { keepAfterExit?: boolean } = {}): ManagedProcess {
    mkdirSync(dirname(spec.logFile), { recursive: true });
    mkdirSync(dirname(spec.pidFile), { recursive: true });
    const log = openSync(spec.logFile, 'a');
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
    writeFileSync(spec.pidFile, String(child.pid));
    // Servers started for later test runs must not hold this process open.
    if (options.keepAfterExit) child.unref();
    return new ManagedProcess(spec, child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Called when the process exits without having been asked to. */
  onUnexpectedExit(listener: ExitListener): void {
    this.exitListeners.push(listener);
  }

  /** SIGTERM to the whole group, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    if (!this.running) return;
    signalGroup(this.pid, 'SIGTERM');
    const killer = setTimeout(() => signalGroup(this.pid, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(killer);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Stops a process known only by its pid file (one this runner did not start). */
export async function stopByPidFile(pidFile: string, graceMs = 10_000): Promise<boolean> {
  const pid = readPid(pidFile);
  if (pid === undefined || !isAlive(pid)) {
    rmSync(pidFile, { force: true });
    return false;
  }
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) signalGroup(pid, 'SIGKILL');
  while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  rmSync(pidFile, { force: true });
  return true;
}

/** Pid files in a folder whose process is still running. */
export function livePidFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pid'))
    .map((f) => join(dir, f))
    .filter((file) => {
      const pid = readPid(file);
      return pid !== undefined && isAlive(pid);
    });
}
