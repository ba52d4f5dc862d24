import { existsSync, readFileSync } from 'node:fs';

/**
 * The one guard in front of every signal the faults send: the pid must come
 * from this checkout's pid file, and that process's command line must be the
 * program expected there. A pid file outlives its process, and the kernel
 * hands the number to the next program that starts, so a pid alone is never
 * trusted: a stale file whose pid now belongs to something else is refused,
 * never signalled.
 */

/** What the faults need from the operating system; tests give stand-ins. */
export interface ProcessControl {
  /** The process's argv, or undefined when no such process runs. */
  commandLine(pid: number): Promise<string[] | undefined>;
  kill(pid: number, signal: NodeJS.Signals): void;
}

export class KillRefused extends Error {
  override name = 'KillRefused';
}

/** A process found through its pid file and checked against the program expected there. */
export interface CheckedProcess {
  /** What it is: `fraud-scorer`, `rec-api-1`, `kafka-2`, `redis`. */
  name: string;
  pid: number;
  pidFile: string;
  commandLine: string[];
}

export interface ProcessExpectation {
  name: string;
  pidFile: string;
  /** The verb of the refusals: `kill`, `throttle`. */
  action: string;
  /** `service` or `server`: how the refusal names a malformed pid. */
  kind: 'service' | 'server';
  /** The command that starts it, named when its pid file is missing. */
  startCommand: string;
  /** What its command line must run, as the refusal says it (`fraud-scorer's entry point /x/main.js`). */
  expected: string;
  matches(commandLine: string[]): boolean;
}

/**
 * The words of a command line. Redis and Sentinel rewrite their process
 * title (`redis-server 127.0.0.1:6380`) into argv[0] and pad the rest with
 * NULs, so a title reads as one argument with blanks and many empty ones.
 */
export const commandWords = (commandLine: readonly string[]): string[] =>
  commandLine.flatMap((arg) => arg.split(/\s+/)).filter((word) => word !== '');

/** Reads the pid file and checks the process it names; throws `KillRefused` with the reason otherwise. */
export async function checkedProcess(
  expectation: ProcessExpectation,
  control: ProcessControl,
): Promise<CheckedProcess> {
  const { name, pidFile, action } = expectation;
  if (!existsSync(pidFile)) {
    throw new KillRefused(
      `refusing to ${action} ${name}: no pid file at ${pidFile}. Is the stack running from this checkout (${expectation.startCommand})?`,
    );
  }
  const raw = readFileSync(pidFile, 'utf8').trim();
  const pid = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(pid) || pid <= 1 || pid === process.pid) {
    throw new KillRefused(
      `refusing to ${action} ${name}: ${pidFile} holds "${raw.slice(0, 40)}", not a ${expectation.kind} pid`,
    );
  }
  const commandLine = await control.commandLine(pid);
  if (!commandLine) {
    throw new KillRefused(
      `refusing to ${action} ${name}: pid ${pid} from ${pidFile} is not running (stale pid file; is the stack up?)`,
    );
  }
  if (!expectation.matches(commandLine)) {
    throw new KillRefused(
      `refusing to ${action} pid ${pid} from ${pidFile}: its command line (${commandWords(commandLine).join(' ').slice(0, 200)}) ` +
        `does not run ${expectation.expected}`,
    );
  }
  return { name, pid, pidFile, commandLine };
}

/** Whether the pid file names a live process of the expected program (no refusal: a yes or no). */
export async function isRunning(expectation: ProcessExpectation, control: ProcessControl): Promise<boolean> {
  try {
    await checkedProcess(expectation, control);
    return true;
  } catch (error) {
    if (error instanceof KillRefused) return false;
    throw error;
  }
}
