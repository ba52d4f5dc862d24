// What the ha profile promises the services about Redis: a client given the Sentinels'
// address (as every service is under `npm start -- --profile ha`) writes again, without a
// restart, once the Sentinels have promoted the replica of a primary killed with SIGKILL. Only
// the Redis part of the profile, from the profile's own start functions, in a folder of its own
// and on ports of its own (27380-27384: the profile's shifted by 21000, clear of the other
// profiles, the ha integration test's and Linux's ephemeral range).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sentinelRedisUrl } from '@mlsys/config';
import { closeRedis, connectRedis, createRedis } from '@mlsys/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haPorts } from '../src/ha-servers.js';
import { SENTINEL_PRIMARY_NAME, SENTINEL_QUORUM } from '../src/manifest.js';
import { waitFor } from '../src/ports.js';
import type { ManagedProcess } from '../src/processes.js';
import {
  REDIS_SENTINEL,
  replicaInSync,
  sentinelPrimary,
  sentinelQuorumReached,
  startSentinel,
} from '../src/redis-sentinel.js';
import { ensureRedisInstalled, startRedisServer } from '../src/redis-server.js';
import { ensureAptProgram } from '../src/system-packages.js';

const ports = haPorts(21_000);
const dir = mkdtempSync(join(tmpdir(), 'mlsys-failover-'));
const servers: ManagedProcess[] = [];
let primary: ManagedProcess;

beforeAll(async () => {
  const redisBinary = await ensureRedisInstalled();
  const sentinelBinary = await ensureAptProgram(REDIS_SENTINEL);
  const files = (name: string) => ({
    dir: join(dir, name),
    logFile: join(dir, 'logs', `${name}.log`),
    pidFile: join(dir, 'pids', `${name}.pid`),
  });
  primary = await startRedisServer(redisBinary, {
    name: 'redis',
    port: ports.redis,
    persistent: false,
    ...files('redis'),
  });
  servers.push(primary);
  servers.push(
    await startRedisServer(redisBinary, {
      name: 'redis-replica',
      port: ports.redisReplica,
      persistent: false,
      replicaOf: ports.redis,
      ...files('redis-replica'),
    }),
  );
  await waitFor(
    () => replicaInSync(ports.redisReplica),
    { timeoutMs: 20_000 },
    () => 'the replica never synced',
  );
  for (const [i, port] of ports.sentinels.entries()) {
    servers.push(
      await startSentinel(sentinelBinary, {
        name: `redis-sentinel-${i + 1}`,
        port,
        primaryName: SENTINEL_PRIMARY_NAME,
        primaryPort: ports.redis,
        quorum: SENTINEL_QUORUM,
        ...files(`redis-sentinel-${i + 1}`),
      }),
    );
  }
  await waitFor(
    async () =>
      (await Promise.all(ports.sentinels.map((p) => sentinelQuorumReached(p, SENTINEL_PRIMARY_NAME)))).every(
        Boolean,
      ),
    { timeoutMs: 20_000, intervalMs: 250 },
    () => 'the Sentinels never found each other',
  );
}, 60_000);

afterAll(async () => {
  for (const server of servers.reverse()) await server.stop(5_000);
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('a service’s Redis client under the ha profile', () => {
  it('when the primary is killed, then the client writes to the promoted replica without a restart', async () => {
    const url = sentinelRedisUrl(
      ports.sentinels.map((port) => `127.0.0.1:${port}`),
      SENTINEL_PRIMARY_NAME,
    );
    // As the services open it: no offline queue, commands fail fast while Redis is away.
    const client = createRedis({ url, commandTimeoutMs: 1000 });
    await connectRedis(client, url);
    try {
      await client.set('before', '1');
      process.kill(primary.pid, 'SIGKILL');

      let written = false;
      await waitFor(
        async () => {
          written = (await client.set('after', '2')) === 'OK';
          return written;
        },
        { timeoutMs: 45_000, intervalMs: 100 },
        () => 'the client could not write within 45 s of the primary’s death',
      );

      expect(await sentinelPrimary(ports.sentinels[0]!, SENTINEL_PRIMARY_NAME)).toBe(
        `127.0.0.1:${ports.redisReplica}`,
      );
      const promoted = createRedis({ url: `redis://127.0.0.1:${ports.redisReplica}` });
      await connectRedis(promoted, `redis://127.0.0.1:${ports.redisReplica}`);
      expect(await promoted.mget('before', 'after')).toEqual(['1', '2']);
      expect((await promoted.role())[0]).toBe('master');
      await closeRedis(promoted);
    } finally {
      await closeRedis(client);
    }
  }, 60_000);
});
