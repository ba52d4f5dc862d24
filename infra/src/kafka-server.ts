import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createKafka, describeCluster } from '@mlsys/kafka';
import { CACHE, ROOT } from './paths.js';
import { portOpen, waitFor } from './ports.js';
import { requireTool, TOOLS } from './prereqs.js';
import { ManagedProcess, tail } from './processes.js';
import { UserFacingError, withHeartbeat } from './ui.js';

const POM = join(ROOT, 'infra', 'kafka', 'pom.xml');
const LOG4J = join(ROOT, 'infra', 'kafka', 'log4j.properties');
const KAFKA_VERSION =
  /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM, 'utf8'))?.[1] ?? 'unknown';
const libsDir = join(CACHE, 'kafka', KAFKA_VERSION, 'libs');

/**
 * Fetches the broker jars pinned by infra/kafka/pom.xml from Maven Central
 * into .cache/kafka/<version>/libs, once (a stamp holds the POM's hash).
 */
export async function ensureKafkaJars(): Promise<string> {
  requireTool(TOOLS.java);
  const stamp = join(libsDir, '.pom.sha256');
  const digest = createHash('sha256').update(readFileSync(POM)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return libsDir;
  requireTool(TOOLS.maven);
  mkdirSync(libsDir, { recursive: true });
  console.log(`  fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central (once, ~50 MB)`);
  await withHeartbeat(
    'mvn dependency:copy-dependencies',
    new Promise<void>((resolve, reject) => {
      const child = spawn(
        'mvn',
        [
          '-q',
          '-B',
          '-Dstyle.color=never',
          '-f',
          POM,
          'dependency:copy-dependencies',
          `-DoutputDirectory=${libsDir}`,
          '-DincludeScope=runtime',
        ],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      );
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0
          ? resolve()
          : reject(
              new UserFacingError(
                `Maven could not fetch Kafka ${KAFKA_VERSION} (exit ${code}); see the output above`,
              ),
            ),
      );
    }),
  );
  if (!readdirSync(libsDir).some((f) => f.startsWith(`kafka_2.13-${KAFKA_VERSION}`))) {
    throw new UserFacingError(`Maven finished but ${libsDir} has no kafka_2.13-${KAFKA_VERSION} jar`);
  }
  writeFileSync(stamp, digest);
  return libsDir;
}

export interface KafkaServerOptions {
  port: number;
  controllerPort: number;
  dir: string;
  logFile: string;
  pidFile: string;
  keepAfterExit?: boolean;
  heap?: string;
  /** The process's name in logs and pid files: `kafka` for a single node. */
  name?: string;
  /** Absent: one node, its own only controller, everything replicated once. */
  cluster?: KafkaClusterNode;
}

/** One node of a KRaft cluster in which every node is both broker and controller. */
export interface KafkaClusterNode {
  nodeId: number;
  /** Every controller of the cluster (this node included), the KRaft quorum. */
  voters: Array<{ nodeId: number; controllerPort: number }>;
  /** Replicas of every partition, the project's topics and Kafka's internal ones alike. */
  replicationFactor: number;
  /** Replicas that must have a write before an acks=all producer is answered. */
  minInsyncReplicas: number;
  /** Shared by every node: `kafka-storage format` must be given the same one on each. */
  clusterId: string;
}

/** A KRaft node acting as broker and controller, tuned to start fast on one machine. */
export function serverProperties(options: KafkaServerOptions): string {
  const cluster = options.cluster;
  const nodeId = cluster?.nodeId ?? 1;
  const voters = (cluster?.voters ?? [{ nodeId: 1, controllerPort: options.controllerPort }])
    .map((voter) => `${voter.nodeId}@127.0.0.1:${voter.controllerPort}`)
    .join(',');
  const replicas = String(cluster?.replicationFactor ?? 1);
  const minIsr = String(cluster?.minInsyncReplicas ?? 1);
  return [
    'process.roles=broker,controller',
    `node.id=${nodeId}`,
    `controller.quorum.voters=${voters}`,
    `listeners=PLAINTEXT://127.0.0.1:${options.port},CONTROLLER://127.0.0.1:${options.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${options.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(options.dir, 'data')}`,
    'num.partitions=1',
    ...(cluster
      ? [
          // Topics created without an explicit factor, and the ISR an acks=all write waits for.
          `default.replication.factor=${replicas}`,
          `min.insync.replicas=${minIsr}`,
          // A replica that fell behind never becomes leader: acknowledged writes are not lost.
          'unclean.leader.election.enable=false',
          // The log cleaner takes a 128 MiB dedupe buffer by default, half of a cluster node's heap
          // (HA_KAFKA_HEAP): the young generation left was so small the busiest node collected several
          // times a second, pausing requests 30-40 ms each time. The compacted topics here (offsets,
          // transaction state) are one partition each: 16 MiB dedupes them.
          `log.cleaner.dedupe.buffer.size=${HA_DEDUPE_BUFFER_BYTES}`,
          // A killed node's partitions get a new leader once the controller fences it, after
          // this session without heartbeats: 9 s by default, during which every payment of those
          // cards can be neither appended nor decided. 4 s (heartbeats each second) still leaves
          // four missed heartbeats of room for a node starved of CPU.
          `broker.session.timeout.ms=${HA_BROKER_SESSION.timeoutMs}`,
          `broker.heartbeat.interval.ms=${HA_BROKER_SESSION.heartbeatMs}`,
        ]
      : []),
    'auto.create.topics.enable=false',
    // One partition per internal topic starts in a blink; a cluster replicates them like the rest.
    `offsets.topic.replication.factor=${replicas}`,
    'offsets.topic.num.partitions=1',
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${minIsr}`,
    'transaction.state.log.num.partitions=1',
    `share.coordinator.state.topic.replication.factor=${replicas}`,
    ...(cluster ? [`share.coordinator.state.topic.min.isr=${minIsr}`] : []),
    // Consumers join a group without the default 3 s wait for others.
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=24',
    'log.segment.bytes=104857600',
    '',
  ].join('\n');
}

/** How soon the controller fences a cluster node that stopped heartbeating (see `serverProperties`). */
export const HA_BROKER_SESSION = { timeoutMs: 4000, heartbeatMs: 1000 };

/** The log cleaner's dedupe buffer on a cluster node (see `serverProperties`). */
export const HA_DEDUPE_BUFFER_BYTES = 16 * 1024 * 1024;

function java(libs: string, mainClass: string, args: string[], heap: string) {
  return {
    command: 'java',
    args: [
      `-Xms${heap}`,
      `-Xmx${heap}`,
      // Kafka's own start scripts' JVM flags (KAFKA_JVM_PERFORMANCE_OPTS): G1's default pause target
      // is 200 ms, and a young collection that long stalls every produce and fetch on the path of a
      // synchronous decision; 20 ms keeps the young generation small enough to collect quickly.
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent',
      `-Dlog4j.configuration=file:${LOG4J}`,
      '-cp',
      `${libs}/*`,
      mainClass,
      ...args,
    ],
  };
}

/**
 * A random KRaft cluster id: 16 bytes in URL-safe base64. One starting with
 * '-' would be read as an option by kafka-storage's argument parser (Kafka's
 * own Uuid.randomUuid() rejects those for the same reason), so draw again.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Formats the KRaft storage once per data folder. */
async function formatStorage(
  libs: string,
  properties: string,
  dataDir: string,
  logFile: string,
  clusterId: string,
): Promise<void> {
  if (existsSync(join(dataDir, 'meta.properties'))) return;
  const { command, args } = java(
    libs,
    'kafka.tools.StorageTool',
    ['format', '-t', clusterId, '-c', properties],
    '256m',
  );
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      writeFileSync(logFile, output, { flag: 'a' });
      code === 0
        ? resolve()
        : reject(new Error(`kafka storage format failed (exit ${code}):\n${output.slice(-2000)}`));
    });
  });
}

export async function startKafkaServer(libs: string, options: KafkaServerOptions): Promise<ManagedProcess> {
  const server = await launchKafkaServer(libs, options);
  await waitForKafka(options.port, 90_000, () =>
    server.running ? undefined : `Kafka exited at start:\n${tail(options.logFile)}`,
  );
  return server;
}

/**
 * Formats the node's storage (once) and starts it, without waiting: a
 * cluster's nodes answer only once a majority of its controllers runs.
 */
export async function launchKafkaServer(libs: string, options: KafkaServerOptions): Promise<ManagedProcess> {
  mkdirSync(join(options.dir, 'data'), { recursive: true });
  mkdirSync(dirname(options.logFile), { recursive: true });
  const properties = join(options.dir, 'server.properties');
  writeFileSync(properties, serverProperties(options));
  await formatStorage(
    libs,
    properties,
    join(options.dir, 'data'),
    options.logFile,
    options.cluster?.clusterId ?? newClusterId(),
  );
  const { command, args } = java(libs, 'kafka.Kafka', [properties], options.heap ?? '1g');
  return ManagedProcess.start(
    { name: options.name ?? 'kafka', command, args, logFile: options.logFile, pidFile: options.pidFile },
    { keepAfterExit: options.keepAfterExit ?? false },
  );
}

export async function kafkaAnswers(port: number): Promise<boolean> {
  if (!(await portOpen('127.0.0.1', port))) return false;
  const kafka = createKafka({
    clientId: 'infra-probe',
    brokers: [`127.0.0.1:${port}`],
    connectionTimeoutMs: 1000,
    silent: true,
    retries: 0,
  });
  try {
    await describeCluster(kafka);
    return true;
  } catch {
    return false;
  }
}

export function waitForKafka(
  port: number,
  timeoutMs: number,
  failFast?: () => string | undefined,
): Promise<void> {
  return withHeartbeat(
    'waiting for the Kafka broker',
    waitFor(
      () => kafkaAnswers(port),
      { timeoutMs, intervalMs: 500, ...(failFast ? { failFast } : {}) },
      () => `Kafka did not answer on 127.0.0.1:${port} within ${timeoutMs} ms`,
    ),
  );
}
