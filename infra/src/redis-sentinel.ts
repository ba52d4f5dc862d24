import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ask, waitFor } from './ports.js';
import { ManagedProcess, tail } from './processes.js';
import type { AptProgram } from './system-packages.js';

/** Debian's `redis-sentinel` package: the same Redis build, started in Sentinel mode. */
export const REDIS_SENTINEL: AptProgram = {
  command: 'redis-sentinel',
  versionArgs: ['--version'],
  aptPackage: 'redis-sentinel',
  service: 'redis-sentinel',
  neededFor: 'The ha profile (Redis failover)',
};

export interface SentinelOptions {
  port: number;
  /** Where Sentinel keeps its config, which it rewrites with what it learns (replicas, other Sentinels, epochs). */
  dir: string;
  primaryName: string;
  primaryPort: number;
  quorum: number;
  name: string;
  logFile: string;
  pidFile: string;
  keepAfterExit?: boolean;
}

/**
 * Failure detection and failover timing: a primary silent for 2 s is down (Sentinel's default,
 * 30 s, would be 30 s of failed writes in a kill drill), and a failover that stalls is retried
 * after 10 s instead of 3 min. Below 2 s a busy two-core machine could fail over a primary that
 * is merely slow.
 */
const DOWN_AFTER_MS = 2000;
const FAILOVER_TIMEOUT_MS = 10_000;

export function sentinelConf(
  options: Pick<SentinelOptions, 'port' | 'dir' | 'primaryName' | 'primaryPort' | 'quorum'> & {
    /**
     * docker-compose: every interface, the primary by its container's name, and Sentinels that
     * announce names rather than container IPs, which change when a container is recreated.
     */
    network?: { primaryHost: string };
  },
): string {
  const name = options.primaryName;
  const network = options.network;
  return [
    `port ${options.port}`,
    // In a container, clients come from other containers: protected mode would refuse them.
    ...(network
      ? ['protected-mode no', 'sentinel resolve-hostnames yes', 'sentinel announce-hostnames yes']
      : ['bind 127.0.0.1']),
    'daemonize no',
    'logfile ""',
    `dir ${options.dir}`,
    `sentinel monitor ${name} ${network?.primaryHost ?? '127.0.0.1'} ${options.primaryPort} ${options.quorum}`,
    `sentinel down-after-milliseconds ${name} ${DOWN_AFTER_MS}`,
    `sentinel failover-timeout ${name} ${FAILOVER_TIMEOUT_MS}`,
    // The replica resyncs with the new primary one at a time (there is one).
    `sentinel parallel-syncs ${name} 1`,
    '',
  ].join('\n');
}

/** Starts a Sentinel from a fresh config and waits until it names the primary. */
export async function startSentinel(binary: string, options: SentinelOptions): Promise<ManagedProcess> {
  mkdirSync(options.dir, { recursive: true });
  const conf = join(options.dir, 'sentinel.conf');
  writeFileSync(conf, sentinelConf(options));
  const sentinel = ManagedProcess.start(
    { name: options.name, command: binary, args: [conf], logFile: options.logFile, pidFile: options.pidFile },
    { keepAfterExit: options.keepAfterExit ?? false },
  );
  await waitFor(
    async () => (await sentinelPrimary(options.port, options.primaryName)) !== undefined,
    {
      timeoutMs: 20_000,
      failFast: () =>
        sentinel.running ? undefined : `${options.name} exited at start:\n${tail(options.logFile)}`,
    },
    () => `${options.name} did not name a primary on 127.0.0.1:${options.port} within 20 s`,
  );
  return sentinel;
}

/** One Redis protocol command as an inline request; the first chunk of the answer. */
const command = (port: number, line: string) => ask('127.0.0.1', port, `${line}\r\n`);

/** The bulk strings of a Redis protocol answer, in order. */
export function bulkStrings(answer: string): string[] {
  return [...answer.matchAll(/\$\d+\r\n([^\r]*)\r\n/g)].map((m) => m[1]!);
}

/** `host:port` of the primary the Sentinel on `port` names, or undefined when it names none. */
export async function sentinelPrimary(port: number, primaryName: string): Promise<string | undefined> {
  const [host, primaryPort] = bulkStrings(
    await command(port, `SENTINEL get-master-addr-by-name ${primaryName}`),
  );
  return host && primaryPort ? `${host}:${primaryPort}` : undefined;
}

/** True once the Sentinel knows enough others to authorise a failover (`SENTINEL CKQUORUM`). */
export async function sentinelQuorumReached(port: number, primaryName: string): Promise<boolean> {
  return (await command(port, `SENTINEL CKQUORUM ${primaryName}`)).startsWith('+OK');
}

/** True once the Redis on `port` replicates its primary with the link up. */
export async function replicaInSync(port: number): Promise<boolean> {
  return /master_link_status:up/.test(await command(port, 'INFO replication'));
}

/** The port of the one Redis among `ports` that is a primary now (after a failover, not the first). */
export async function primaryAmong(ports: number[]): Promise<number | undefined> {
  const roles = await Promise.all(ports.map((port) => command(port, 'INFO replication').catch(() => '')));
  return ports.find((_, i) => /role:master/.test(roles[i]!));
}
