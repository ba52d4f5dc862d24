import { readFileSync } from 'node:fs';

/** The host's CPU time so far, in jiffies, from the `cpu` line of /proc/stat (all cores summed). */
export interface HostCpuTimes {
  total: number;
  /** user + nice + system + irq + softirq: work done by this machine. */
  busy: number;
  /** Time the hypervisor ran someone else while this machine had work: a noisy neighbour. */
  steal: number;
}

/** Where a bench's host went over one measured window, as shares of all its cores' time. */
export interface HostNoise {
  /** Share of the cores' time stolen by the hypervisor: latencies include it, CPU per request does not. */
  steal_share: number;
  /** Share of the cores' time the machine was busy (the stack, the generator and anything else). */
  busy_share: number;
  /**
   * Share of the cores' time busy outside the measured processes (the services and the
   * generator): the broker, Redis, and anything else on the host (a test run, another bench).
   * Negative values (sampling granularity) are reported as 0.
   */
  others_share: number;
}

const EMPTY: HostCpuTimes = { total: 0, busy: 0, steal: 0 };
const HZ = 100;

/** Parses /proc/stat's aggregate `cpu` line; zeros where /proc is not there (not Linux). */
export function parseProcStat(text: string): HostCpuTimes {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return EMPTY;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq!;
  return { total: busy + idle! + iowait! + (steal ?? 0), busy, steal: steal ?? 0 };
}

export function hostCpuTimes(): HostCpuTimes {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return EMPTY;
  }
}

/**
 * The host over a window, given the CPU seconds the measured processes
 * (the services and the generator) spent in it.
 * Null where /proc/stat is not there.
 */
export function hostNoise(
  before: HostCpuTimes,
  after: HostCpuTimes,
  measuredCpuSeconds: number,
): HostNoise | null {
  const total = after.total - before.total;
  if (total <= 0) return null;
  const share = (jiffies: number) => Math.round((1000 * Math.max(0, jiffies)) / total) / 1000;
  return {
    steal_share: share(after.steal - before.steal),
    busy_share: share(after.busy - before.busy),
    others_share: share(after.busy - before.busy - measuredCpuSeconds * HZ),
  };
}
