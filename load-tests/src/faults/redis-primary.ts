import { HA_START, type HaLayout, haPidFile } from './ha-layout.js';
import {
  type CheckedProcess,
  checkedProcess,
  commandWords,
  KillRefused,
  type ProcessControl,
} from './process-check.js';
import { type RespReply, redisCommand } from './redis-command.js';

/**
 * SIGKILL to the Redis primary, the one the Sentinels name: after their
 * `down-after-milliseconds` two of the three agree it is down and promote the
 * replica; the services, which reach Redis through the Sentinels, follow.
 * Which server is the primary is asked, never assumed: after one failover
 * `redis-replica` is the primary and `redis` its replica.
 */

export const KILL_REDIS_PRIMARY = 'ha-kill-redis-primary';

/** The two Redis servers of the `ha` profile, by pid file name (infra/src/ha-servers.ts). */
export const REDIS_SERVERS = ['redis', 'redis-replica'] as const;

export interface RedisAddress {
  host: string;
  port: number;
}

export type AskRedis = (url: string, args: readonly string[]) => Promise<RespReply>;

const ask: AskRedis = (url, args) => redisCommand(url, args, 2000);

/** The primary as the first Sentinel that answers names it (`SENTINEL get-master-addr-by-name`). */
export async function sentinelPrimary(
  sentinels: readonly string[],
  name: string,
  command: AskRedis = ask,
): Promise<RedisAddress> {
  const problems: string[] = [];
  for (const sentinel of sentinels) {
    try {
      const reply = await command(`redis://${sentinel}`, ['SENTINEL', 'get-master-addr-by-name', name]);
      if (Array.isArray(reply) && typeof reply[0] === 'string' && typeof reply[1] === 'string')
        return { host: reply[0], port: Number(reply[1]) };
      problems.push(`${sentinel} knows no primary named "${name}"`);
    } catch (error) {
      problems.push(`${sentinel}: ${(error as Error).message}`);
    }
  }
  throw new KillRefused(`no Sentinel named the Redis primary: ${problems.join('; ')}`);
}

/** `ROLE` of a Redis server: `master`, or `slave` with the primary it follows and whether its link is up. */
export async function redisRole(
  at: RedisAddress,
  command: AskRedis = ask,
): Promise<{ role: string; primary?: RedisAddress; connected?: boolean }> {
  const reply = await command(`redis://${at.host}:${at.port}`, ['ROLE']);
  if (!Array.isArray(reply) || typeof reply[0] !== 'string') return { role: 'unknown' };
  if (reply[0] !== 'slave') return { role: reply[0] };
  return {
    role: 'slave',
    primary: { host: String(reply[1]), port: Number(reply[2]) },
    connected: reply[3] === 'connected',
  };
}

/**
 * Checks the process behind the primary's address: of the two Redis pid files, the one whose
 * process runs `redis-server` on the port Sentinel names (Redis titles itself `redis-server host:port`).
 */
export async function findRedisPrimaryProcess(
  primary: RedisAddress,
  layout: HaLayout,
  control: ProcessControl,
): Promise<CheckedProcess> {
  const problems: string[] = [];
  for (const name of REDIS_SERVERS) {
    try {
      return await checkedProcess(
        {
          name,
          pidFile: haPidFile(layout, name),
          action: 'kill',
          kind: 'server',
          startCommand: HA_START,
          expected: `redis-server on port ${primary.port}, the primary Sentinel names`,
          matches: (commandLine) => {
            const words = commandWords(commandLine);
            return (
              (words[0]?.endsWith('redis-server') ?? false) &&
              words.some((word) => word.endsWith(`:${primary.port}`) || word === String(primary.port))
            );
          },
        },
        control,
      );
    } catch (error) {
      if (!(error instanceof KillRefused)) throw error;
      problems.push(error.message);
    }
  }
  throw new KillRefused(
    `refusing to kill the Redis primary ${primary.host}:${primary.port}: neither Redis pid file names it (${problems.join('; ')})`,
  );
}

/** Asks the Sentinels for the primary, checks its process and SIGKILLs it. */
export async function killRedisPrimary(
  sentinels: readonly string[],
  name: string,
  layout: HaLayout,
  control: ProcessControl,
  command: AskRedis = ask,
): Promise<CheckedProcess & { primary: RedisAddress }> {
  const primary = await sentinelPrimary(sentinels, name, command);
  const target = await findRedisPrimaryProcess(primary, layout, control);
  control.kill(target.pid, 'SIGKILL');
  return { ...target, primary };
}
