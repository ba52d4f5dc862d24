import {
  HA_SERVICES,
  type HaLayout,
  type HaService,
  haInstanceUrl,
  instancesOf,
  readHaEndpoints,
} from './ha-layout.js';
import {
  findKafkaNodeProcess,
  fullyReplicated,
  KILL_KAFKA_LEADER,
  kafkaClusterReader,
  killKafkaLeader,
  leadershipMoved,
  type ReadCluster,
} from './kafka-leader.js';
import { findInstanceProcess, killInstance, killInstanceFaultId } from './kill-instance.js';
import { systemProcessControl } from './kill-service.js';
import type { ProcessControl } from './process-check.js';
import { redisCommand } from './redis-command.js';
import {
  type AskRedis,
  findRedisPrimaryProcess,
  KILL_REDIS_PRIMARY,
  killRedisPrimary,
  type RedisAddress,
  redisRole,
  sentinelPrimary,
} from './redis-primary.js';
import {
  infraUp,
  RESTART_SERVERS,
  restartServers,
  type StartServers,
  serversDown,
} from './restart-servers.js';

/** How a recovery condition reads right now: whether it holds, and what it saw (for the report). */
export interface RecoveryReading {
  recovered: boolean;
  state: string;
}

export interface InjectedFault {
  /** What was hit: `rec-api-1 (pid 4242)`, `kafka-2, leading 41 of 120 partitions`. */
  target: string;
  recovery(): Promise<RecoveryReading>;
}

/** One ha fault: check it could go in, put it in, then read whether the stack is back. */
export interface FaultStep {
  /** The catalogue's id (catalog.ts). */
  id: string;
  /** Refuses (throws) when the fault could not be injected; run before any traffic. */
  check(): Promise<void>;
  inject(): Promise<InjectedFault>;
  /** Runs even when a drill's schedule ended first, if `needed()` says so (restarting killed servers). */
  restores?: { needed(): Promise<boolean> };
}

/**
 * The ha profile's faults as steps (the load runner's drill runs them in a
 * sequence; the console can inject one), each with the condition that says
 * the stack is back:
 *
 * | fault                      | recovered when                                                                  |
 * | -------------------------- | ------------------------------------------------------------------------------- |
 * | one instance of a service  | its pid file names a new pid running the entry point, and its /readyz answers 200 |
 * | the busiest Kafka node     | every partition has a leader on one of the two other nodes                      |
 * | the Redis primary          | a Sentinel names another primary, and that server says it is the master         |
 * | restart the servers        | the cluster lists 3 brokers with every replica in sync, the old Redis primary is a connected replica of the current one, no ha server is down |
 *
 * The Kafka and Redis kills recover without their server (that is the
 * design's claim); the restart brings the servers back for the next run.
 */

export interface HaFaultDeps {
  layout: HaLayout;
  control: ProcessControl;
  /** The cluster's metadata (kafkajs admin on the ha brokers; tests give a stand-in). */
  readCluster: ReadCluster;
  /** One Redis or Sentinel command. */
  askRedis: AskRedis;
  /** `GET <url>/readyz` answered 200. */
  ready(url: string): Promise<boolean>;
  startServers: StartServers;
  sentinels: readonly string[];
  sentinelPrimaryName: string;
}

/** Every fault id the drill knows, in the order it runs them by default. */
export const HA_FAULT_IDS = [
  ...HA_SERVICES.map(killInstanceFaultId),
  KILL_KAFKA_LEADER,
  KILL_REDIS_PRIMARY,
  RESTART_SERVERS,
] as const;

const KAFKA_NODES = 3;

function instanceStep(service: HaService, instance: number, deps: HaFaultDeps): FaultStep {
  return {
    id: killInstanceFaultId(service),
    check: async () => void (await findInstanceProcess(service, instance, deps.layout, deps.control)),
    async inject() {
      const killed = await killInstance(service, instance, deps.layout, deps.control);
      const url = haInstanceUrl(service, instance);
      return {
        target: `${killed.name} (pid ${killed.pid})`,
        async recovery(): Promise<RecoveryReading> {
          let pid: number;
          try {
            pid = (await findInstanceProcess(service, instance, deps.layout, deps.control)).pid;
          } catch {
            return { recovered: false, state: 'no live process in its pid file yet' };
          }
          if (pid === killed.pid) return { recovered: false, state: `its pid file still names ${pid}` };
          const ready = await deps.ready(url).catch(() => false);
          return { recovered: ready, state: `pid ${pid}, ${url}/readyz ${ready ? '200' : 'not ready'}` };
        },
      };
    },
  };
}

/** Shared by the Kafka and Redis kills: what the restart must bring back. */
interface Killed {
  kafkaNode?: number;
  redisPrimary?: RedisAddress;
}

function kafkaStep(deps: HaFaultDeps, killed: Killed): FaultStep {
  return {
    id: KILL_KAFKA_LEADER,
    async check() {
      const view = await deps.readCluster();
      if (view.brokers.length !== KAFKA_NODES)
        throw new Error(
          `the Kafka cluster lists ${view.brokers.length} brokers, not ${KAFKA_NODES}: restart the servers first`,
        );
      for (const id of view.brokers) await findKafkaNodeProcess(id, deps.layout, deps.control);
    },
    async inject() {
      const target = await killKafkaLeader(deps.layout, deps.control, deps.readCluster);
      killed.kafkaNode = target.nodeId;
      return {
        target: `${target.name} (pid ${target.pid}), leading ${target.leads} of ${target.partitions} partitions`,
        async recovery() {
          const view = await deps.readCluster();
          const leaderless = view.partitions.filter((p) => p.leader < 0 || p.leader === target.nodeId).length;
          return {
            recovered: leadershipMoved(view, target.nodeId),
            state: `brokers ${view.brokers.join(',')}; ${leaderless} of ${view.partitions.length} partitions still led by node ${target.nodeId} or none`,
          };
        },
      };
    },
  };
}

function redisStep(deps: HaFaultDeps, killed: Killed): FaultStep {
  const primary = () => sentinelPrimary(deps.sentinels, deps.sentinelPrimaryName, deps.askRedis);
  return {
    id: KILL_REDIS_PRIMARY,
    check: async () => void (await findRedisPrimaryProcess(await primary(), deps.layout, deps.control)),
    async inject() {
      const target = await killRedisPrimary(
        deps.sentinels,
        deps.sentinelPrimaryName,
        deps.layout,
        deps.control,
        deps.askRedis,
      );
      killed.redisPrimary = target.primary;
      const old = `${target.primary.host}:${target.primary.port}`;
      return {
        target: `${target.name} ${old} (pid ${target.pid})`,
        async recovery() {
          const now = await primary();
          const named = `${now.host}:${now.port}`;
          if (named === old) return { recovered: false, state: `the Sentinels still name ${old}` };
          const role = await redisRole(now, deps.askRedis).catch(() => ({ role: 'not answering' }));
          return {
            recovered: role.role === 'master',
            state: `the Sentinels name ${named}, which says ${role.role}`,
          };
        },
      };
    },
  };
}

function restartStep(deps: HaFaultDeps, killed: Killed): FaultStep {
  const needed = async () => (await serversDown(deps.layout, deps.control)).length > 0;
  return {
    id: RESTART_SERVERS,
    async check() {
      const down = await serversDown(deps.layout, deps.control);
      if (down.length > 0)
        throw new Error(
          `ha servers already down before the drill: ${down.join(', ')}; start them with \`npm run infra -- up --profile ha\``,
        );
    },
    restores: { needed },
    async inject() {
      const { restarted } = await restartServers(deps.layout, deps.control, deps.startServers);
      return {
        target: restarted.length > 0 ? `started ${restarted.join(', ')}` : 'no server was down',
        async recovery() {
          const view = await deps.readCluster();
          const kafka = fullyReplicated(view, KAFKA_NODES);
          const outOfSync = view.partitions.filter((p) => p.isr.length < p.replicas.length).length;
          let redis = true;
          let redisState = 'Redis not killed';
          if (killed.redisPrimary) {
            const current = await sentinelPrimary(deps.sentinels, deps.sentinelPrimaryName, deps.askRedis);
            const old = await redisRole(killed.redisPrimary, deps.askRedis).catch(() => ({
              role: 'not answering',
              connected: false,
              primary: undefined,
            }));
            redis = old.role === 'slave' && old.connected === true && old.primary?.port === current.port;
            redisState = `old primary ${killed.redisPrimary.port} is ${old.role}${old.connected ? ' (connected)' : ''}, primary ${current.port}`;
          }
          const down = await serversDown(deps.layout, deps.control);
          return {
            recovered: kafka && redis && down.length === 0,
            state: `brokers ${view.brokers.join(',')}, ${outOfSync} partitions out of sync; ${redisState}; down: ${down.join(', ') || 'none'}`,
          };
        },
      };
    },
  };
}

/**
 * The steps for the chosen fault ids, in the order given, but the restart last: it brings back
 * what the kills before it took down. `instance` is which instance of each service dies.
 */
export function haFaultSteps(ids: readonly string[], instance: number, deps: HaFaultDeps): FaultStep[] {
  const killed: Killed = {};
  const byId = new Map<string, FaultStep>([
    ...HA_SERVICES.map((service): [string, FaultStep] => [
      killInstanceFaultId(service),
      // A service with one instance under ha loses that one, whichever instance was asked for.
      instanceStep(service, Math.min(instance, instancesOf(service)), deps),
    ]),
    [KILL_KAFKA_LEADER, kafkaStep(deps, killed)],
    [KILL_REDIS_PRIMARY, redisStep(deps, killed)],
    [RESTART_SERVERS, restartStep(deps, killed)],
  ]);
  const ordered = [
    ...ids.filter((id) => id !== RESTART_SERVERS),
    ...ids.filter((id) => id === RESTART_SERVERS),
  ];
  return [...new Set(ordered)].map((id) => byId.get(id) as FaultStep);
}

/** The real stack's wiring for this checkout: its endpoints, kafkajs admin, RESP, `/readyz`, `infra up`. */
export function haFaultDeps(layout: HaLayout, brokers?: string[]): HaFaultDeps {
  const endpoints = readHaEndpoints(layout);
  return {
    layout,
    control: systemProcessControl,
    readCluster: kafkaClusterReader(brokers ?? endpoints.kafkaBrokers),
    askRedis: (url, args) => redisCommand(url, args, 2000),
    async ready(url) {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      return res.status === 200;
    },
    startServers: infraUp,
    sentinels: endpoints.sentinels,
    sentinelPrimaryName: endpoints.sentinelPrimaryName,
  };
}
