import { portOpen } from './ports.js';
import { isAlive, readPid, stopByPidFile } from './processes.js';
import { ok, UserFacingError } from './ui.js';

/**
 * True when the server of ours named by the pid file runs and answers (it is reused); otherwise
 * clears what is left of it and refuses a port held by another program.
 */
export async function reusableServer(
  pidFile: string,
  name: string,
  port: number,
  answers: (port: number) => Promise<boolean>,
  /** Said with the name when the port is taken, e.g. `profile test`. */
  context: string,
): Promise<boolean> {
  const pid = readPid(pidFile);
  if (pid !== undefined && isAlive(pid) && (await answers(port).catch(() => false))) {
    ok(`${name} already running on 127.0.0.1:${port} (pid ${pid})`);
    return true;
  }
  if (pid !== undefined) await stopByPidFile(pidFile);
  if (await portOpen('127.0.0.1', port)) {
    throw new UserFacingError(
      `port ${port} (${name}, ${context}) is taken by another program. Stop it (see: ss -ltnp 'sport = :${port}') and run again.`,
    );
  }
  return false;
}
