import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HA_SERVICES,
  haDir,
  haInstanceName,
  haPidFile,
  instancesOf,
  kafkaPropertiesOf,
} from '../../src/faults/ha-layout.js';
import type { ClusterView } from '../../src/faults/kafka-leader.js';
import { entryPointOf } from '../../src/faults/kill-service.js';
import type { ProcessControl } from '../../src/faults/process-check.js';
import type { RespReply } from '../../src/faults/redis-command.js';

/**
 * A stand-in for `npm start -- --profile ha` as the faults see it: a checkout
 * folder with the profile's pid files and endpoints.json, a process table
 * behind a fake `ProcessControl`, a supervisor that restarts a killed
 * instance, cluster metadata whose leaders move off a dead node, Sentinels
 * that promote the replica when the primary dies, and an `infra up` that
 * starts the dead servers again. Every change happens when the fault is
 * injected, so a test waits on what the faults observe, never on time.
 */
export interface FakeHaStack {
  root: string;
  control: ProcessControl & { signals: Array<[string, NodeJS.Signals]> };
  /** Every process by pid: its name and argv. */
  processes: Map<number, { name: string; argv: string[] }>;
  readCluster(): Promise<ClusterView>;
  askRedis(url: string, args: readonly string[]): Promise<RespReply>;
  startServers(root: string): Promise<string>;
  /** Instances the supervisor does not restart until `release(name)`. */
  hold(name: string): void;
  release(name: string): void;
  /** How many times `infra up` ran. */
  starts: number;
}

const PORTS = { redis: 6380, 'redis-replica': 6381 } as const;

export function fakeHaStack(): FakeHaStack {
  const root = mkdtempSync(join(tmpdir(), 'fake-ha-'));
  const layout = { root };
  mkdirSync(join(haDir(layout), 'pids'), { recursive: true });
  writeFileSync(
    join(haDir(layout), 'endpoints.json'),
    JSON.stringify({
      kafkaBrokers: ['127.0.0.1:9094', '127.0.0.1:9095', '127.0.0.1:9096'],
      sentinels: ['127.0.0.1:6382', '127.0.0.1:6383', '127.0.0.1:6384'],
      sentinelPrimaryName: 'mlsys',
    }),
  );
  const processes = new Map<number, { name: string; argv: string[] }>();
  let nextPid = 1000;
  const launch = (name: string, argv: string[]) => {
    const pid = nextPid++;
    processes.set(pid, { name, argv });
    writeFileSync(haPidFile(layout, name), String(pid));
    return pid;
  };
  const argvOf = new Map<string, string[]>();
  const define = (name: string, argv: string[]) => {
    argvOf.set(name, argv);
    launch(name, argv);
  };
  for (const service of HA_SERVICES)
    for (let n = 1; n <= instancesOf(service); n++)
      define(haInstanceName(service, n), [
        '/usr/bin/node',
        '--enable-source-maps',
        entryPointOf(layout, service),
      ]);
  for (const id of [1, 2, 3])
    define(`kafka-${id}`, [
      'java',
      '-Xmx256m',
      '-cp',
      'libs/*',
      'kafka.Kafka',
      kafkaPropertiesOf(layout, id),
    ]);
  // Redis rewrites its title into argv[0] and pads with NULs, which read as empty arguments.
  define('redis', [`redis-server 127.0.0.1:${PORTS.redis}`, '', '', '']);
  define('redis-replica', [`redis-server 127.0.0.1:${PORTS['redis-replica']}`, '', '']);
  for (const i of [1, 2, 3])
    define(`redis-sentinel-${i}`, [`redis-sentinel 127.0.0.1:${6381 + i} [sentinel]`]);
  define('haproxy', ['haproxy', '-db', '-f', 'haproxy.cfg']);

  const held = new Set<string>();
  const pendingRestart = new Set<string>();
  const dead = new Set<string>();
  let primary: 'redis' | 'redis-replica' = 'redis';
  const partitions = Array.from({ length: 12 }, (_, i) => ({
    topic: i < 9 ? 'transactions' : '__consumer_offsets',
    partition: i,
    // Node 2 leads 6, node 1 four, node 3 two: node 2 is the busiest.
    leader: i < 6 ? 2 : i < 10 ? 1 : 3,
    replicas: [1, 2, 3],
    isr: [1, 2, 3],
  }));

  const stack: FakeHaStack = {
    root,
    processes,
    starts: 0,
    control: {
      signals: [],
      async commandLine(pid) {
        return processes.get(pid)?.argv;
      },
      kill(pid, signal) {
        const process = processes.get(pid);
        if (!process) throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
        stack.control.signals.push([process.name, signal]);
        processes.delete(pid);
        const { name } = process;
        if (name.startsWith('kafka-')) {
          const nodeId = Number(name.slice('kafka-'.length));
          dead.add(name);
          for (const p of partitions) {
            p.isr = p.isr.filter((id) => id !== nodeId);
            if (p.leader === nodeId) p.leader = p.isr[0] ?? -1;
          }
        } else if (name === 'redis' || name === 'redis-replica') {
          dead.add(name);
          if (primary === name) primary = name === 'redis' ? 'redis-replica' : 'redis';
        } else if (held.has(name)) pendingRestart.add(name);
        else launch(name, argvOf.get(name) as string[]);
      },
    },
    async readCluster() {
      const brokers = [1, 2, 3].filter((id) => !dead.has(`kafka-${id}`));
      return { brokers, partitions: partitions.map((p) => ({ ...p, isr: [...p.isr] })) };
    },
    async askRedis(url, args) {
      const port = Number(new URL(url).port);
      if (args[0] === 'SENTINEL') return ['127.0.0.1', String(PORTS[primary])];
      const name = port === PORTS.redis ? 'redis' : 'redis-replica';
      if (dead.has(name)) throw new Error(`cannot reach Redis at 127.0.0.1:${port}: connect ECONNREFUSED`);
      if (name === primary) return ['master', 0, []];
      return ['slave', '127.0.0.1', PORTS[primary], 'connected', 0];
    },
    async startServers() {
      stack.starts += 1;
      for (const name of [...dead]) {
        dead.delete(name);
        launch(name, argvOf.get(name) as string[]);
        if (name.startsWith('kafka-')) for (const p of partitions) p.isr = [...p.replicas];
      }
      return 'ok';
    },
    hold: (name) => held.add(name),
    release(name) {
      held.delete(name);
      if (pendingRestart.delete(name)) launch(name, argvOf.get(name) as string[]);
    },
  };
  return stack;
}
