import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topics } from '@mlsys/contracts';
import { createKafka, ensureTopics } from '@mlsys/kafka';
import { type HaEndpoints, isClusterNode, startHaServers, stopHaProfile } from './ha-servers.js';
import { ensureKafkaJars, kafkaAnswers, startKafkaServer } from './kafka-server.js';
import { INFRA_PORTS } from './manifest.js';
import { logsDir, type Profile, pidsDir, profileDir } from './paths.js';
import type { ManagedProcess } from './processes.js';
import { stopByPidFile } from './processes.js';
import { ensureRedisInstalled, redisAnswers, startRedisServer } from './redis-server.js';
import { reusableServer } from './reuse.js';
import { ok, say, step } from './ui.js';

export interface RunningInfra {
  profile: Profile;
  /** The `ha` profile's primary: clients that follow failovers ask the Sentinels instead. */
  redisUrl: string;
  kafkaBrokers: string[];
  /** The `ha` profile's Sentinels, balancer and public APIs' addresses. */
  ha?: HaEndpoints;
  /** Servers this call started (and so may stop); empty when it reused running ones. */
  started: ManagedProcess[];
}

const pidFile = (profile: Profile, name: string) => join(pidsDir(profile), `${name}.pid`);

/** Reuses a server of ours that answers; refuses a port held by another program. */
const reusable = (
  profile: Profile,
  name: 'redis' | 'kafka',
  port: number,
  answers: (port: number) => Promise<boolean>,
): Promise<boolean> => reusableServer(pidFile(profile, name), name, port, answers, `profile ${profile}`);

export interface BringUpOptions {
  /** Leave the servers running after this process exits (`infra up` for test runs). */
  keepAfterExit: boolean;
  /** Reuse servers of the same profile that are already running, instead of restarting them. */
  reuse: boolean;
  /** Added to every port, so two checkouts can run their servers side by side (MLSYS_PORT_OFFSET). */
  portOffset?: number;
  /** Where the `ha` profile keeps data, logs and pid files: `.cache/ha` unless given (its test's own folder). */
  stateDir?: string;
}

/** Redis and Kafka for a profile, each started (or reused), answering, with the project's topics created. */
export async function bringUpInfra(profile: Profile, options: BringUpOptions): Promise<RunningInfra> {
  const started: ManagedProcess[] = [];
  try {
    if (profile === 'ha') return await startHaServers(options, started);
    return await startServers(profile, options, started);
  } catch (error) {
    // Do not leave a Redis behind because Kafka could not start.
    if (!options.keepAfterExit) for (const server of started.reverse()) await server.stop(10_000);
    throw error;
  }
}

async function startServers(
  profile: Exclude<Profile, 'ha'>,
  options: BringUpOptions,
  started: ManagedProcess[],
): Promise<RunningInfra> {
  const offset = options.portOffset ?? 0;
  const base = INFRA_PORTS[profile];
  const ports = {
    redis: base.redis + offset,
    kafka: base.kafka + offset,
    kafkaController: base.kafkaController + offset,
  };
  const dir = profileDir(profile);

  if (!options.reuse) {
    // A previous runner that was killed may have left its servers behind.
    for (const name of ['kafka', 'redis']) {
      if (await stopByPidFile(pidFile(profile, name)))
        say(`stopped a ${name} left running by an earlier run`);
    }
  }

  const redisBinary = await step('checking Redis', ensureRedisInstalled);
  if (!(await reusable(profile, 'redis', ports.redis, redisAnswers))) {
    const redis = await step(`starting Redis on 127.0.0.1:${ports.redis}`, () =>
      startRedisServer(redisBinary, {
        port: ports.redis,
        dir: join(dir, 'redis'),
        logFile: join(logsDir(profile), 'redis.log'),
        pidFile: pidFile(profile, 'redis'),
        persistent: profile === 'stack',
        keepAfterExit: options.keepAfterExit,
      }),
    );
    started.push(redis);
  }

  const libs = await step('checking Kafka 3.9.1 jars', ensureKafkaJars);
  if (!(await reusable(profile, 'kafka', ports.kafka, kafkaAnswers))) {
    // The test broker holds only what tests create, each run under ids of its own: kept, its data
    // grows by some sixty topics per `npm test` and slows every later run's metadata and start-up.
    if (profile === 'test') rmSync(join(dir, 'kafka'), { recursive: true, force: true });
    const kafka = await step(`starting Kafka (KRaft) on 127.0.0.1:${ports.kafka}`, () =>
      startKafkaServer(libs, {
        port: ports.kafka,
        controllerPort: ports.kafkaController,
        dir: join(dir, 'kafka'),
        logFile: join(logsDir(profile), 'kafka.log'),
        pidFile: pidFile(profile, 'kafka'),
        keepAfterExit: options.keepAfterExit,
      }),
    );
    started.push(kafka);
  }

  const kafkaBrokers = [`127.0.0.1:${ports.kafka}`];
  await step('creating Kafka topics', () =>
    ensureTopics(createKafka({ clientId: 'infra', brokers: kafkaBrokers }), Object.values(Topics)),
  );

  const running = { profile, redisUrl: `redis://127.0.0.1:${ports.redis}`, kafkaBrokers, started };
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'endpoints.json'),
    `${JSON.stringify({ redisUrl: running.redisUrl, kafkaBrokers }, null, 2)}\n`,
  );
  return running;
}

/** Stops what `bringUpInfra` started, in the reverse order: Kafka first (it may still flush), then Redis. */
export async function stopInfra(infra: RunningInfra): Promise<void> {
  const order = [...infra.started].reverse();
  const clusterNodes = order.filter((server) => isClusterNode(server.spec.name));
  for (const server of order) {
    if (!isClusterNode(server.spec.name)) {
      await step(`stopping ${server.spec.name}`, () => server.stop(30_000));
    } else if (server === clusterNodes[0]) {
      // Together: stopped one at a time, the last node would wait for a controller quorum that is gone.
      await step(`stopping ${clusterNodes.map((node) => node.spec.name).join(', ')}`, () =>
        Promise.all(clusterNodes.map((node) => node.stop(30_000))),
      );
    }
  }
}

/** Stops every process of a profile by its pid file: services, then Kafka, then Redis. */
export async function stopProfile(profile: Profile, serviceNames: string[]): Promise<void> {
  if (profile === 'ha') return stopHaProfile(serviceNames);
  for (const name of [...serviceNames, 'kafka', 'redis']) {
    if (await stopByPidFile(pidFile(profile, name), 30_000)) ok(`stopped ${name}`);
  }
}

export { pidFile };
