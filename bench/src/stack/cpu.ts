import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * User + system CPU seconds of a child so far (Linux /proc); 0 where /proc is not there.
 * Read per process, so each service's cost per request survives a shared, noisy host.
 */
export function cpuSeconds(child: ChildProcess): number {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted from the state field (3).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
