import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topics } from '@mlsys/contracts';
import { createKafka, ensureTopics } from '@mlsys/kafka';
import { type BalancedApi, balancerAnswers, HAPROXY, startBalancer } from './haproxy.js';
import {
  ensureKafkaJars,
  type KafkaClusterNode,
  kafkaAnswers,
  launchKafkaServer,
  newClusterId,
} from './kafka-server.js';
import {
  HA_INFRA_PORTS,
  HA_REPLICATION,
  PUBLIC_APIS,
  SENTINEL_PRIMARY_NAME,
  SENTINEL_QUORUM,
  serviceByName,
} from './manifest.js';
import { instancePorts } from './manifest-ha.js';
import { profileDir } from './paths.js';
import { waitFor } from './ports.js';
import { type ManagedProcess, stopByPidFile, tail } from './processes.js';
import {
  primaryAmong,
  REDIS_SENTINEL,
  replicaInSync,
  sentinelPrimary,
  sentinelQuorumReached,
  startSentinel,
} from './redis-sentinel.js';
import { ensureRedisInstalled, redisAnswers, startRedisServer } from './redis-server.js';
import { reusableServer } from './reuse.js';
import type { BringUpOptions, RunningInfra } from './servers.js';
import { ensureAptProgram } from './system-packages.js';
import { ok, step, withHeartbeat } from './ui.js';

/** What the `ha` profile offers beyond a Redis URL and a broker list. */
export interface HaEndpoints {
  /** `127.0.0.1:port` of each Sentinel. */
  sentinels: string[];
  /** The name the Sentinels know the primary by. */
  sentinelPrimaryName: string;
  /** HAProxy's own page (`/healthz`, `/stats`). */
  balancerUrl: string;
  /** Each public API's address on the balancer. */
  apis: Record<string, string>;
}

/** Every port of the `ha` profile, shifted by MLSYS_PORT_OFFSET (its test's own offset). */
export function haPorts(offset = 0) {
  const shift = (port: number) => port + offset;
  const apis: BalancedApi[] = PUBLIC_APIS.map((name) => {
    const spec = serviceByName(name);
    return {
      name,
      port: shift(spec.port),
      instancePorts: instancePorts(spec, offset),
      readyPath: spec.health.ready,
    };
  });
  return {
    kafka: HA_INFRA_PORTS.kafka.map(shift),
    kafkaControllers: HA_INFRA_PORTS.kafkaControllers.map(shift),
    redis: shift(HA_INFRA_PORTS.redis),
    redisReplica: shift(HA_INFRA_PORTS.redisReplica),
    sentinels: HA_INFRA_PORTS.sentinels.map(shift),
    balancerStats: shift(HA_INFRA_PORTS.balancerStats),
    apis,
  };
}

/** The processes of the `ha` profile by name, in the order they are stopped. */
const SENTINEL_NAMES = HA_INFRA_PORTS.sentinels.map((_, i) => `redis-sentinel-${i + 1}`);
const KAFKA_NAMES = HA_INFRA_PORTS.kafka.map((_, i) => `kafka-${i + 1}`);

/** A node of the `ha` profile's Kafka cluster (`kafka-1`...), stopped together with the others. */
export const isClusterNode = (name: string) => KAFKA_NAMES.includes(name);

/**
 * Heap of each of the three Kafka nodes: the project's topics are a few dozen partitions, and
 * three JVMs at the single broker's 1 GiB would take most of what the `ha` stack may use.
 */
const HA_KAFKA_HEAP = '256m';

/** How long `up` waits for one Redis to replicate the other, a full resync included. */
const REPLICA_SYNC_TIMEOUT_MS = 120_000;

interface Layout {
  dir: string;
  pidFile(name: string): string;
  logFile(name: string): string;
}

const layoutOf = (dir: string): Layout => ({
  dir,
  pidFile: (name) => join(dir, 'pids', `${name}.pid`),
  logFile: (name) => join(dir, 'logs', `${name}.log`),
});

/** The KRaft cluster id every node is formatted with, kept beside their data. */
function clusterId(dir: string): string {
  const file = join(dir, 'kafka-cluster-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const id = newClusterId();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, id);
  return id;
}

/**
 * The `ha` profile: a Redis primary with a replica and three Sentinels, three Kafka nodes that
 * replicate every partition three times, HAProxy in front of the public APIs. The Kafka nodes
 * boot (the slow part) while Redis and its Sentinels start; processes of ours already running
 * and answering are kept when `reuse` says so.
 */
export async function startHaServers(
  options: BringUpOptions,
  started: ManagedProcess[],
): Promise<RunningInfra> {
  const ports = haPorts(options.portOffset ?? 0);
  const layout = layoutOf(options.stateDir ?? profileDir('ha'));
  const keepAfterExit = options.keepAfterExit;
  const reusable = (name: string, port: number, answers: (port: number) => Promise<boolean>) =>
    reusableServer(layout.pidFile(name), name, port, answers, 'profile ha');
  if (!options.reuse) await stopHaProcesses(layout, []);

  const redisBinary = await step('checking Redis', ensureRedisInstalled);
  const sentinelBinary = await step('checking Redis Sentinel', () => ensureAptProgram(REDIS_SENTINEL));
  const haproxyBinary = await step('checking HAProxy', () => ensureAptProgram(HAPROXY));
  const libs = await step('checking Kafka 3.9.1 jars', ensureKafkaJars);

  const voters = ports.kafkaControllers.map((controllerPort, i) => ({ nodeId: i + 1, controllerPort }));
  const cluster = (nodeId: number): KafkaClusterNode => ({
    nodeId,
    voters,
    ...HA_REPLICATION,
    clusterId: clusterId(layout.dir),
  });
  const launches: Promise<ManagedProcess>[] = [];
  for (const [i, name] of KAFKA_NAMES.entries()) {
    if (await reusable(name, ports.kafka[i]!, kafkaAnswers)) continue;
    launches.push(
      launchKafkaServer(libs, {
        name,
        port: ports.kafka[i]!,
        controllerPort: ports.kafkaControllers[i]!,
        dir: join(layout.dir, name),
        logFile: layout.logFile(name),
        pidFile: layout.pidFile(name),
        heap: HA_KAFKA_HEAP,
        keepAfterExit,
        cluster: cluster(i + 1),
      }),
    );
  }
  const kafkaNodes = await step(`starting ${launches.length} of 3 Kafka nodes (KRaft)`, async () => {
    const outcomes = await Promise.allSettled(launches);
    const nodes = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    started.push(...nodes);
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
    return nodes;
  });

  if (!(await reusable('redis', ports.redis, redisAnswers))) {
    started.push(
      await step(`starting redis (the primary, until a failover) on 127.0.0.1:${ports.redis}`, () =>
        startRedisServer(redisBinary, {
          port: ports.redis,
          dir: join(layout.dir, 'redis'),
          logFile: layout.logFile('redis'),
          pidFile: layout.pidFile('redis'),
          persistent: true,
          keepAfterExit,
        }),
      ),
    );
  }
  if (!(await reusable('redis-replica', ports.redisReplica, redisAnswers))) {
    started.push(
      await step(`starting redis-replica on 127.0.0.1:${ports.redisReplica}`, () =>
        startRedisServer(redisBinary, {
          name: 'redis-replica',
          port: ports.redisReplica,
          dir: join(layout.dir, 'redis-replica'),
          logFile: layout.logFile('redis-replica'),
          pidFile: layout.pidFile('redis-replica'),
          persistent: true,
          keepAfterExit,
          replicaOf: ports.redis,
        }),
      ),
    );
  }
  // Which of the two is the replica: after a failover, reused servers have swapped roles. A server
  // restarted after a failover rejoins as a replica with a full resync of the whole dataset (the
  // feature store's users and songs): 38 s on this machine in a drill, so 20 s refused the restart.
  const pair = [ports.redis, ports.redisReplica];
  await waitFor(
    async () => (await Promise.all(pair.map(replicaInSync))).some(Boolean),
    { timeoutMs: REPLICA_SYNC_TIMEOUT_MS },
    () =>
      `neither Redis on ${pair.join(', ')} replicates the other within ${REPLICA_SYNC_TIMEOUT_MS / 1000} s`,
  );
  const primaryPort = (await primaryAmong(pair)) ?? ports.redis;

  const sentinelAnswers = (port: number) =>
    sentinelPrimary(port, SENTINEL_PRIMARY_NAME).then((primary) => primary !== undefined);
  for (const [i, name] of SENTINEL_NAMES.entries()) {
    const port = ports.sentinels[i]!;
    if (await reusable(name, port, sentinelAnswers)) continue;
    started.push(
      await step(`starting ${name} on 127.0.0.1:${port}`, () =>
        startSentinel(sentinelBinary, {
          name,
          port,
          dir: join(layout.dir, name),
          primaryName: SENTINEL_PRIMARY_NAME,
          primaryPort,
          quorum: SENTINEL_QUORUM,
          logFile: layout.logFile(name),
          pidFile: layout.pidFile(name),
          keepAfterExit,
        }),
      ),
    );
  }
  // Sentinels find each other through the primary (a hello every 2 s); until they have, none may fail it over.
  await step('waiting for the Sentinels to find each other', () =>
    waitFor(
      async () =>
        (
          await Promise.all(ports.sentinels.map((port) => sentinelQuorumReached(port, SENTINEL_PRIMARY_NAME)))
        ).every(Boolean),
      { timeoutMs: 20_000, intervalMs: 500 },
      () => `the Sentinels on ${ports.sentinels.join(', ')} did not reach their quorum within 20 s`,
    ),
  );

  const kafkaBrokers = ports.kafka.map((port) => `127.0.0.1:${port}`);
  await step('waiting for the 3 Kafka nodes to form a cluster', () =>
    waitForCluster(kafkaBrokers, kafkaNodes),
  );
  await step('creating Kafka topics (replication factor 3, min ISR 2)', () =>
    ensureTopics(
      createKafka({ clientId: 'infra', brokers: kafkaBrokers }),
      Object.values(Topics),
      HA_REPLICATION,
    ),
  );

  if (!(await reusable('haproxy', ports.balancerStats, balancerAnswers))) {
    started.push(
      await step(
        `starting HAProxy (${ports.apis.map((api) => `${api.name} on ${api.port}`).join(', ')})`,
        () =>
          startBalancer(haproxyBinary, {
            config: { apis: ports.apis, statsPort: ports.balancerStats },
            dir: join(layout.dir, 'haproxy'),
            logFile: layout.logFile('haproxy'),
            pidFile: layout.pidFile('haproxy'),
            keepAfterExit,
          }),
      ),
    );
  }

  const ha: HaEndpoints = {
    sentinels: ports.sentinels.map((port) => `127.0.0.1:${port}`),
    sentinelPrimaryName: SENTINEL_PRIMARY_NAME,
    balancerUrl: `http://127.0.0.1:${ports.balancerStats}`,
    apis: Object.fromEntries(ports.apis.map((api) => [api.name, `http://127.0.0.1:${api.port}`])),
  };
  const redisUrl = `redis://127.0.0.1:${primaryPort}`;
  writeFileSync(
    join(layout.dir, 'endpoints.json'),
    `${JSON.stringify({ redisUrl, kafkaBrokers, ...ha }, null, 2)}\n`,
  );
  return { profile: 'ha', redisUrl, kafkaBrokers, ha, started };
}

/** Waits until every node answers and the cluster lists all three brokers. */
function waitForCluster(brokers: string[], launched: ManagedProcess[]): Promise<void> {
  const kafka = createKafka({
    clientId: 'infra-probe',
    brokers,
    connectionTimeoutMs: 1000,
    silent: true,
    retries: 0,
  });
  const complete = async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return (await admin.describeCluster()).brokers.length === brokers.length;
    } finally {
      await admin.disconnect();
    }
  };
  return withHeartbeat(
    'waiting for the Kafka cluster',
    waitFor(
      async () =>
        (await Promise.all(brokers.map((b) => kafkaAnswers(Number(b.split(':')[1]))))).every(Boolean) &&
        (await complete()),
      {
        timeoutMs: 90_000,
        intervalMs: 500,
        failFast: () => {
          const dead = launched.find((node) => !node.running);
          return dead ? `${dead.spec.name} exited at start:\n${tail(dead.spec.logFile)}` : undefined;
        },
      },
      () => `the Kafka cluster on ${brokers.join(',')} did not list ${brokers.length} brokers within 90 s`,
    ),
  );
}

/**
 * Stops the `ha` profile's processes by their pid files: services, the balancer, the Sentinels
 * (before Redis, so that none fails the primary over while it stops), the Kafka nodes together,
 * then the replica and the primary.
 */
async function stopHaProcesses(layout: Layout, serviceNames: string[]): Promise<void> {
  const stop = async (name: string) => {
    if (await stopByPidFile(layout.pidFile(name), 30_000)) ok(`stopped ${name}`);
  };
  for (const name of [...serviceNames, 'haproxy', ...SENTINEL_NAMES]) await stop(name);
  await Promise.all(KAFKA_NAMES.map(stop));
  for (const name of ['redis-replica', 'redis']) await stop(name);
}

/** `npm run infra -- down --profile ha`: every instance of every service, then the servers. */
export function stopHaProfile(instanceNames: string[]): Promise<void> {
  return stopHaProcesses(layoutOf(profileDir('ha')), instanceNames);
}
