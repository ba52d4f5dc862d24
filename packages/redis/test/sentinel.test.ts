// A client given a `redis-sentinel://` address finds the primary through a real Sentinel: one
// started here on a free port, watching the test Redis under a name of its own (it only watches;
// with no replica to promote it can fail nothing over).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueName } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeRedis, connectRedis, createRedis, sentinelOptions } from '../src/index.js';

const infra = inject('infra');
const primary = new URL(infra.redisUrl);
const name = uniqueName('sentinel-test');
const dir = mkdtempSync(join(tmpdir(), 'mlsys-sentinel-'));
let sentinel: ChildProcess;
let sentinelPort: number;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  sentinelPort = await freePort();
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} ${primary.hostname} ${primary.port} 1`,
      '',
    ].join('\n'),
  );
  sentinel = spawn('redis-sentinel', [conf], { stdio: 'ignore' });
  // Ready once it names the primary it was told to watch; the command waits while it starts.
  const probe = createRedis({ url: `redis://127.0.0.1:${sentinelPort}`, queueWhileDisconnected: true });
  expect(await probe.call('SENTINEL', 'get-master-addr-by-name', name)).toEqual([
    primary.hostname,
    primary.port,
  ]);
  await closeRedis(probe);
});

afterAll(async () => {
  if (sentinel.exitCode === null) {
    const exited = new Promise((resolve) => sentinel.once('exit', resolve));
    sentinel.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('redis client through Sentinel (real Sentinel)', () => {
  it('when given a redis-sentinel:// address, then it reaches the primary the Sentinel names', async () => {
    const url = `redis-sentinel://127.0.0.1:${sentinelPort}#${name}`;
    const client = createRedis({ url, keyPrefix: `${name}:` });
    await connectRedis(client, url);
    try {
      await client.set('where', 'primary');
      const direct = createRedis({ url: infra.redisUrl });
      await connectRedis(direct, infra.redisUrl);
      expect(await direct.get(`${name}:where`)).toBe('primary');
      await direct.del(`${name}:where`);
      await closeRedis(direct);
    } finally {
      await closeRedis(client);
    }
  });

  it('when a Sentinel address lists several Sentinels, then the client asks them all, demands a primary and follows a switch', () => {
    const options = sentinelOptions({
      kind: 'sentinel',
      sentinels: [
        { host: '127.0.0.1', port: 6382 },
        { host: '127.0.0.1', port: 6383 },
      ],
      name: 'mlsys',
      db: 2,
      password: 'pw',
    });
    expect(options).toMatchObject({
      sentinels: [
        { host: '127.0.0.1', port: 6382 },
        { host: '127.0.0.1', port: 6383 },
      ],
      name: 'mlsys',
      role: 'master',
      db: 2,
      password: 'pw',
      failoverDetector: true,
    });
    const reconnect = options.reconnectOnError!;
    expect(reconnect(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(reconnect(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(
      false,
    );
  });
});
