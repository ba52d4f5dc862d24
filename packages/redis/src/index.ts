import { createHash } from 'node:crypto';
import { parseRedisAddress } from '@mlsys/config';
import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type { Cluster, Redis };
export type RedisClient = Redis | Cluster;

export interface RedisSettings {
  /**
   * `redis://host:port[/db]` for one node; `redis-sentinel://host:port,host:port[/db]#name` for
   * the primary the Sentinels name (followed across failovers: see `sentinelOptions`); with
   * `cluster: true`, a comma-separated list of seed nodes.
   */
  url: string;
  cluster?: boolean;
  /** Prefixes every key, so tests and stacks can share one server without colliding. */
  keyPrefix?: string;
  /** How long one command may wait for its answer; a dead Redis must fail fast, not hang a request. */
  commandTimeoutMs?: number;
  /** Queue commands while disconnected (services: no, they have fallbacks; offline jobs: yes). */
  queueWhileDisconnected?: boolean;
  /**
   * Connection errors (each failed reconnect). Commands fail on their own
   * promise and `/readyz` reports the outage, so the default only stops
   * ioredis from printing every attempt; services pass their logger.
   */
  onError?: (error: Error) => void;
  /**
   * Commands issued in the same event-loop tick leave in one write (ioredis
   * auto-pipelining): a server answering many requests at once pays one
   * socket write for all their Redis calls instead of one each.
   */
  autoPipelining?: boolean;
}

/**
 * An ioredis client for one node, a Sentinel-monitored primary, or a Cluster. It reconnects
 * forever with a capped back-off, so a Redis that comes back (or a replica promoted in its place)
 * is used again without a restart, while commands issued during the outage fail fast.
 */
export function createRedis(settings: RedisSettings): RedisClient {
  const options: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: settings.queueWhileDisconnected ?? false,
    maxRetriesPerRequest: settings.queueWhileDisconnected ? 20 : 1,
    commandTimeout: settings.commandTimeoutMs ?? 1000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
    enableAutoPipelining: settings.autoPipelining ?? false,
    ...(settings.keyPrefix ? { keyPrefix: settings.keyPrefix } : {}),
  };
  if (settings.cluster) {
    const nodes = settings.url.split(',').map((seed) => {
      const url = new URL(seed.trim());
      return { host: url.hostname, port: Number(url.port || 6379) };
    });
    const cluster = new Cluster(nodes, {
      redisOptions: options,
      enableOfflineQueue: options.enableOfflineQueue ?? false,
    });
    cluster.on('error', settings.onError ?? (() => {}));
    return cluster;
  }
  const address = parseRedisAddress(settings.url);
  const client =
    address.kind === 'sentinel'
      ? new Redis({ ...options, ...sentinelOptions(address) })
      : new Redis(settings.url, options);
  client.on('error', settings.onError ?? (() => {}));
  return client;
}

/**
 * How a client follows a Sentinel-monitored primary. Each (re)connect asks the Sentinels where the
 * primary is, and checks the server it reaches says it is one (`role`), so a client never writes
 * to the demoted old primary. `failoverDetector` listens for the Sentinels' `+switch-master` and
 * reconnects at once, rather than on the next broken command; a server that answers READONLY
 * (a primary demoted under a live connection) makes the client reconnect and resend the command.
 */
export function sentinelOptions(
  address: Extract<ReturnType<typeof parseRedisAddress>, { kind: 'sentinel' }>,
): RedisOptions {
  return {
    sentinels: address.sentinels,
    name: address.name,
    role: 'master',
    db: address.db,
    failoverDetector: true,
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
    // A Sentinel that is down is skipped quickly: the next one is asked instead.
    sentinelCommandTimeout: 500,
    ...(address.username ? { username: address.username } : {}),
    ...(address.password ? { password: address.password } : {}),
  };
}

/** Connects and checks the server answers, failing with the URL in the message. */
export async function connectRedis(client: RedisClient, url: string): Promise<void> {
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new Error(`cannot reach Redis at ${url}: ${(error as Error).message}`);
  }
}

/** Readiness probe. */
export async function pingRedis(client: RedisClient): Promise<string> {
  const answer = await client.ping();
  return `redis ${answer}`;
}

export interface LuaScript<Args extends unknown[], Result> {
  /** The script's text, and its SHA-1 as Redis names it (SCRIPT LOAD answers the same). */
  readonly lua: string;
  readonly sha: string;
  run(client: RedisClient, keys: string[], ...args: Args): Promise<Result>;
}

/**
 * A Lua script run by its SHA-1 (EVALSHA), sent whole (EVAL) once when the
 * server does not know it yet (first use, or after a restart flushed the
 * script cache); EVAL caches it for the next EVALSHA. Plain commands, not
 * ioredis' `defineCommand`: a command defined on first use while other
 * commands of the same tick wait in an auto-pipeline is missing from that
 * pipeline, and ioredis then throws out of its own callback
 * ("results[i] is not iterable"), killing the process.
 */
export function defineLuaScript<Args extends (string | number)[], Result>(
  _name: string,
  lua: string,
): LuaScript<Args, Result> {
  const sha = createHash('sha1').update(lua).digest('hex');
  return {
    lua,
    sha,
    async run(client, keys, ...args) {
      try {
        return (await client.evalsha(sha, keys.length, ...keys, ...args)) as Result;
      } catch (error) {
        if (!(error as Error).message.startsWith('NOSCRIPT')) throw error;
        return (await client.eval(lua, keys.length, ...keys, ...args)) as Result;
      }
    },
  };
}

/**
 * Deletes (UNLINK) every key matching `pattern`, SCANning in pages so a big
 * key space never blocks Redis. One node's keys: a Cluster would be scanned
 * on one of its nodes only.
 */
export async function unlinkMatching(client: RedisClient, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await client.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
