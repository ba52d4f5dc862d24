import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAULTS, faultById } from '../src/faults/catalog.js';
import { haPidFile } from '../src/faults/ha-layout.js';
import { HA_FAULT_IDS as DRILL_FAULTS } from '../src/faults/ha-steps.js';
import {
  busiestLeader,
  type ClusterView,
  killKafkaLeader,
  leadershipMoved,
} from '../src/faults/kafka-leader.js';
import { findInstanceProcess, killInstance } from '../src/faults/kill-instance.js';
import { KillRefused } from '../src/faults/process-check.js';
import { parseReply, redisCommand } from '../src/faults/redis-command.js';
import { killRedisPrimary, sentinelPrimary } from '../src/faults/redis-primary.js';
import { restartServers, serversDown } from '../src/faults/restart-servers.js';
import { type FakeHaStack, fakeHaStack } from './helpers/fake-ha-stack.js';

/** The ha profile's faults against a stand-in stack: pid files in a temp checkout, a fake process table. */

const stacks: FakeHaStack[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const stack of stacks.splice(0)) rmSync(stack.root, { recursive: true, force: true });
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});
const stack = () => {
  const s = fakeHaStack();
  stacks.push(s);
  return s;
};
const pidIn = (s: FakeHaStack, name: string) =>
  [...s.processes].find(([, p]) => p.name === name)?.[0] as number;

describe('killing one instance', () => {
  it('when the pid file names rec-api-1 running its entry point, then exactly that pid gets SIGKILL', async () => {
    const s = stack();
    const pid = pidIn(s, 'rec-api-1');
    const killed = await killInstance('rec-api', 1, { root: s.root }, s.control);
    expect(killed.pid).toBe(pid);
    expect(s.control.signals).toEqual([['rec-api-1', 'SIGKILL']]);
  });

  it('when there is no pid file, the pid is stale, or its command line runs another program, then it refuses and signals nothing', async () => {
    const s = stack();
    const layout = { root: s.root };
    rmSync(haPidFile(layout, 'ranker-2'));
    await expect(findInstanceProcess('ranker', 2, layout, s.control)).rejects.toThrow(/no pid file/);
    writeFileSync(haPidFile(layout, 'rules-1'), '99999');
    await expect(findInstanceProcess('rules', 1, layout, s.control)).rejects.toThrow(
      /not running \(stale pid file/,
    );
    // The pid file of rec-api-2 now names the ranker's process: another program, refused.
    writeFileSync(haPidFile(layout, 'rec-api-2'), String(pidIn(s, 'ranker-1')));
    await expect(killInstance('rec-api', 2, layout, s.control)).rejects.toThrow(
      /does not run rec-api's entry point/,
    );
    await expect(findInstanceProcess('console', 1, layout, s.control)).rejects.toThrow(/only feature-store/);
    await expect(findInstanceProcess('feature-engine', 2, layout, s.control)).rejects.toThrow(
      /runs 1 under ha/,
    );
    expect(s.control.signals).toEqual([]);
  });
});

describe('killing the busiest Kafka node', () => {
  const view = (leaders: number[], brokers = [1, 2, 3]): ClusterView => ({
    brokers,
    partitions: leaders.map((leader, partition) => ({
      topic: 't',
      partition,
      leader,
      replicas: [1, 2, 3],
      isr: [1, 2, 3],
    })),
  });

  it('when leaders are counted per node, then the node leading the most is chosen, ties going to the lowest id', () => {
    expect(busiestLeader(view([1, 2, 2, 3, 2, 1]))).toEqual({ nodeId: 2, leads: 3 });
    expect(busiestLeader(view([3, 3, 1, 1]))).toEqual({ nodeId: 1, leads: 2 });
    // A broker leading nothing still counts, and a leaderless partition (-1) counts for no one.
    expect(busiestLeader(view([-1, -1], [2, 3]))).toEqual({ nodeId: 2, leads: 0 });
  });

  it('when leadership is read after the kill, then it has moved only once no partition is led by the dead node or none', () => {
    expect(leadershipMoved(view([1, 3, 1]), 2)).toBe(true);
    expect(leadershipMoved(view([1, 2, 1]), 2)).toBe(false);
    expect(leadershipMoved(view([1, -1, 1]), 2)).toBe(false);
  });

  it("when the busiest node's process runs kafka.Kafka with its own properties, then that node gets SIGKILL", async () => {
    const s = stack();
    const killed = await killKafkaLeader({ root: s.root }, s.control, s.readCluster);
    expect(killed).toMatchObject({ name: 'kafka-2', nodeId: 2, leads: 6, partitions: 12 });
    expect(s.control.signals).toEqual([['kafka-2', 'SIGKILL']]);
  });

  it("when the busiest node's pid file names another node's process, then it refuses", async () => {
    const s = stack();
    writeFileSync(haPidFile({ root: s.root }, 'kafka-2'), String(pidIn(s, 'kafka-1')));
    await expect(killKafkaLeader({ root: s.root }, s.control, s.readCluster)).rejects.toThrow(
      /does not run kafka\.Kafka with .*kafka-2\/server\.properties/,
    );
    expect(s.control.signals).toEqual([]);
  });
});

describe('killing the Redis primary', () => {
  /** A Sentinel on a real socket answering get-master-addr-by-name with a RESP array. */
  async function fakeSentinel(port: string): Promise<string> {
    const server = createServer((socket) =>
      socket.on('data', () => socket.write(`*2\r\n$9\r\n127.0.0.1\r\n$${port.length}\r\n${port}\r\n`)),
    );
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  it('when a Sentinel is asked, then its array reply names the primary, and a Sentinel that is down is passed over', async () => {
    const sentinel = await fakeSentinel('6381');
    expect(await sentinelPrimary(['127.0.0.1:1', sentinel], 'mlsys', redisCommand)).toEqual({
      host: '127.0.0.1',
      port: 6381,
    });
    await expect(sentinelPrimary(['127.0.0.1:1'], 'mlsys', redisCommand)).rejects.toBeInstanceOf(KillRefused);
  });

  it('when RESP replies are parsed, then bulk strings, integers, nil and nested arrays come back whole, and a partial one waits', () => {
    const reply = Buffer.from('*3\r\n$5\r\nslave\r\n:6380\r\n*2\r\n$-1\r\n+OK\r\n');
    expect(parseReply(reply)?.reply).toEqual(['slave', 6380, [null, 'OK']]);
    expect(parseReply(reply.subarray(0, 20))).toBeUndefined();
  });

  it('when the Sentinels name the replica after a failover, then the redis-replica process is the one killed', async () => {
    const s = stack();
    const ask = async () => ['127.0.0.1', '6381'];
    const killed = await killRedisPrimary(['127.0.0.1:6382'], 'mlsys', { root: s.root }, s.control, ask);
    expect(killed).toMatchObject({ name: 'redis-replica', primary: { port: 6381 } });
    expect(s.control.signals).toEqual([['redis-replica', 'SIGKILL']]);
  });

  it('when no Redis pid file names a redis-server on the port Sentinel names, then it refuses', async () => {
    const s = stack();
    const ask = async () => ['127.0.0.1', '7777'];
    await expect(
      killRedisPrimary(['127.0.0.1:6382'], 'mlsys', { root: s.root }, s.control, ask),
    ).rejects.toThrow(/neither Redis pid file names it/);
    expect(s.control.signals).toEqual([]);
  });
});

describe('restarting the servers', () => {
  it('when a Kafka node and Redis are down, then infra up runs once and they are listed as restarted', async () => {
    const s = stack();
    const layout = { root: s.root };
    expect(await serversDown(layout, s.control)).toEqual([]);
    await killKafkaLeader(layout, s.control, s.readCluster);
    await killRedisPrimary(['127.0.0.1:6382'], 'mlsys', layout, s.control, s.askRedis);
    expect(await serversDown(layout, s.control)).toEqual(['kafka-2', 'redis']);
    expect(await restartServers(layout, s.control, s.startServers)).toEqual({
      restarted: ['kafka-2', 'redis'],
    });
    expect(s.starts).toBe(1);
    expect(await serversDown(layout, s.control)).toEqual([]);
  });

  it('when nothing is down, then infra up is not run; when the checkout has no ha stack, then it refuses', async () => {
    const s = stack();
    expect(await restartServers({ root: s.root }, s.control, s.startServers)).toEqual({ restarted: [] });
    expect(s.starts).toBe(0);
    const empty = mkdtempSync(join(tmpdir(), 'no-ha-'));
    mkdirSync(join(empty, 'x'));
    await expect(restartServers({ root: empty }, s.control, s.startServers)).rejects.toThrow(
      /npm start -- --profile ha/,
    );
    rmSync(empty, { recursive: true, force: true });
  });
});

describe('the catalogue', () => {
  it('when the list is read, then every fault the drill runs is described in it, marked as needing the ha profile', () => {
    for (const id of DRILL_FAULTS) {
      expect(faultById(id), id).toMatchObject({ id, profile: 'ha' });
      expect(faultById(id)?.description.length).toBeGreaterThan(40);
    }
    expect(FAULTS.filter((f) => f.profile !== 'ha').map((f) => f.id)).toContain('kill-fraud-scorer');
  });
});
