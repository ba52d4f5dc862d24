import { sentinelRedisUrl } from '@mlsys/config';
import { stringify } from 'yaml';
import {
  COMPOSE_CLOCK_ANCHOR,
  containerArtifactsDir,
  containerEntry,
  PUBLISH,
  prepareEntry,
  SERVER_STOP_GRACE,
} from './compose.js';
import { haPorts } from './ha-servers.js';
import { haproxyConfig } from './haproxy.js';
import { HA_BROKER_SESSION, HA_DEDUPE_BUFFER_BYTES } from './kafka-server.js';
import {
  HA_REPLICATION,
  PUBLIC_APIS,
  REDIS_MINOR,
  resolveEnv,
  SENTINEL_PRIMARY_NAME,
  SENTINEL_QUORUM,
  type ServiceSpec,
} from './manifest.js';
import { haInstances } from './manifest-ha.js';
import { sentinelConf } from './redis-sentinel.js';

/** Inside the compose network each server keeps its usual port; the host sees the `ha` profile's. */
const REDIS_PORT = 6379;
const SENTINEL_PORT = 26_379;
const KAFKA_INTERNAL_PORT = 29_092;
const KAFKA_CONTROLLER_PORT = 9093;
const NODES = [1, 2, 3] as const;
/** One KRaft cluster id for the three nodes (22 characters of base64url, as `kafka-storage random-uuid` gives). */
const KAFKA_CLUSTER_ID = Buffer.from('ml-system-design').toString('base64url');

const ports = haPorts();
const isPublic = (spec: ServiceSpec) => (PUBLIC_APIS as readonly string[]).includes(spec.name);
const sentinels = NODES.map((n) => `redis-sentinel-${n}`);

const header = `# Generated from infra/src/manifest.ts by \`npm run infra -- compose\`; do not edit by hand.
# The ha profile (infra/README.md): 3 Kafka nodes (replication 3, min ISR 2), a Redis primary and
# replica watched by 3 Sentinels, two instances of every service (one where the manifest says why),
# HAProxy in front of the public APIs on their usual ports. A test (infra/test/compose.test.ts)
# fails when this file and the manifest disagree.
# Where a container engine runs: docker compose -f docker-compose.ha.yml up --build
`;

const redisHealth = (port: number) => ({
  test: ['CMD', 'redis-cli', '-p', String(port), 'ping'],
  interval: '2s',
  timeout: '2s',
  retries: 30,
  start_period: '60s',
});

function redisEntries(): Record<string, unknown> {
  const server = (name: string, hostPort: number, replicaOf?: string) => ({
    image: `redis:${REDIS_MINOR}`,
    command: [
      'redis-server',
      '--appendonly',
      'yes',
      // The replica tells the Sentinels its name, not its container's IP (which a re-creation changes).
      ...(replicaOf ? ['--replicaof', replicaOf, String(REDIS_PORT), '--replica-announce-ip', name] : []),
    ],
    hostname: name,
    ports: [`${PUBLISH}:${hostPort}:${REDIS_PORT}`],
    restart: 'on-failure',
    stop_grace_period: SERVER_STOP_GRACE,
    healthcheck: redisHealth(REDIS_PORT),
    ...(replicaOf ? { depends_on: { [replicaOf]: { condition: 'service_healthy' } } } : {}),
  });
  const entries: Record<string, unknown> = {
    redis: server('redis', ports.redis),
    'redis-replica': server('redis-replica', ports.redisReplica, 'redis'),
  };
  for (const [i, name] of sentinels.entries()) {
    entries[name] = {
      image: `redis:${REDIS_MINOR}`,
      // Sentinel rewrites its config with what it learns: it runs on a writable copy.
      command: [
        'sh',
        '-c',
        'cp /etc/redis/sentinel.conf /data/sentinel.conf && exec redis-sentinel /data/sentinel.conf',
      ],
      hostname: name,
      configs: [{ source: 'sentinel', target: '/etc/redis/sentinel.conf' }],
      ports: [`${PUBLISH}:${ports.sentinels[i]}:${SENTINEL_PORT}`],
      restart: 'on-failure',
      healthcheck: { ...redisHealth(SENTINEL_PORT), start_period: '10s' },
      depends_on: {
        redis: { condition: 'service_healthy' },
        'redis-replica': { condition: 'service_healthy' },
      },
    };
  }
  return entries;
}

function kafkaEntries(): Record<string, unknown> {
  const voters = NODES.map((n) => `${n}@kafka-${n}:${KAFKA_CONTROLLER_PORT}`).join(',');
  const replicas = String(HA_REPLICATION.replicationFactor);
  const minIsr = String(HA_REPLICATION.minInsyncReplicas);
  return Object.fromEntries(
    NODES.map((n, i) => {
      const external = ports.kafka[i]!;
      return [
        `kafka-${n}`,
        {
          image: 'apache/kafka:3.9.1',
          hostname: `kafka-${n}`,
          ports: [`${PUBLISH}:${external}:${external}`],
          restart: 'on-failure',
          stop_grace_period: SERVER_STOP_GRACE,
          environment: {
            CLUSTER_ID: KAFKA_CLUSTER_ID,
            KAFKA_NODE_ID: String(n),
            KAFKA_PROCESS_ROLES: 'broker,controller',
            KAFKA_LISTENERS: `INTERNAL://0.0.0.0:${KAFKA_INTERNAL_PORT},EXTERNAL://0.0.0.0:${external},CONTROLLER://0.0.0.0:${KAFKA_CONTROLLER_PORT}`,
            KAFKA_ADVERTISED_LISTENERS: `INTERNAL://kafka-${n}:${KAFKA_INTERNAL_PORT},EXTERNAL://127.0.0.1:${external}`,
            KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:
              'INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
            KAFKA_INTER_BROKER_LISTENER_NAME: 'INTERNAL',
            KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
            KAFKA_CONTROLLER_QUORUM_VOTERS: voters,
            KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
            KAFKA_DEFAULT_REPLICATION_FACTOR: replicas,
            KAFKA_MIN_INSYNC_REPLICAS: minIsr,
            KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE: 'false',
            KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: replicas,
            KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
            KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: replicas,
            KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: minIsr,
            KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
            KAFKA_LOG_CLEANER_DEDUPE_BUFFER_SIZE: String(HA_DEDUPE_BUFFER_BYTES),
            KAFKA_BROKER_SESSION_TIMEOUT_MS: String(HA_BROKER_SESSION.timeoutMs),
            KAFKA_BROKER_HEARTBEAT_INTERVAL_MS: String(HA_BROKER_SESSION.heartbeatMs),
            KAFKA_HEAP_OPTS: '-Xms256m -Xmx256m',
          },
          healthcheck: {
            test: [
              'CMD-SHELL',
              `/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:${external} > /dev/null`,
            ],
            interval: '5s',
            timeout: '10s',
            retries: 24,
            start_period: '30s',
          },
        },
      ];
    }),
  );
}

/** What each instance's `dependsOn` entry waits for: every instance of a service, every node of a server. */
function dependencies(
  spec: ServiceSpec,
  services: readonly ServiceSpec[],
): Record<string, { condition: string }> {
  const names = spec.dependsOn.flatMap((dep) => {
    if (dep === 'redis') return sentinels;
    if (dep === 'kafka') return NODES.map((n) => `kafka-${n}`);
    const other = services.find((s) => s.name === dep);
    return other ? haInstances(other).map((i) => i.name) : [];
  });
  return Object.fromEntries(names.map((name) => [name, { condition: 'service_healthy' }]));
}

function instanceEntries(spec: ServiceSpec, services: readonly ServiceSpec[]): Array<[string, unknown]> {
  const instanceUrls = (other: ServiceSpec) => haInstances(other).map((i) => `http://${i.name}:${i.port}`);
  const base = resolveEnv(spec, {
    redisUrl: sentinelRedisUrl(
      sentinels.map((name) => `${name}:${SENTINEL_PORT}`),
      SENTINEL_PRIMARY_NAME,
    ),
    kafkaBrokers: NODES.map((n) => `kafka-${n}:${KAFKA_INTERNAL_PORT}`).join(','),
    topicReplication: HA_REPLICATION,
    serviceUrl: (other) => (isPublic(other) ? `http://haproxy:${other.port}` : instanceUrls(other)[0]!),
    serviceUrls: instanceUrls,
    listenHost: '0.0.0.0',
    artifactsDir: containerArtifactsDir,
    servingClockAnchorMs: COMPOSE_CLOCK_ANCHOR,
  });
  const instances = haInstances(spec);
  return instances.map((instance, index) => {
    // The instance's own address, where it names itself (the feature engine's ADVERTISED_URL): its container's.
    const own = Object.fromEntries(
      Object.entries(instance.env).map(([name, value]) => [
        name,
        value === `http://127.0.0.1:${instance.port}` ? `http://${instance.name}:${instance.port}` : value,
      ]),
    );
    return [
      instance.name,
      {
        ...containerEntry(spec, {
          port: instance.port,
          environment: { ...base, ...own },
          dependsOn: {
            ...dependencies(spec, services),
            // Start-up work only one instance may do at a time: after the previous instance is
            // healthy (on a first start, once it has done that work; compose cannot wait longer).
            ...(spec.haStartsAlone && index > 0
              ? { [instances[index - 1]!.name]: { condition: 'service_healthy' } }
              : {}),
          },
        }),
        hostname: instance.name,
      },
    ];
  });
}

function balancerEntry(services: readonly ServiceSpec[]): Record<string, unknown> {
  const apis = ports.apis.filter((api) => services.some((s) => s.name === api.name));
  return {
    image: 'haproxy:2.6',
    configs: [{ source: 'haproxy', target: '/usr/local/etc/haproxy/haproxy.cfg' }],
    ports: [
      ...apis.map((api) => `${PUBLISH}:${api.port}:${api.port}`),
      `${PUBLISH}:${ports.balancerStats}:${ports.balancerStats}`,
    ],
    restart: 'on-failure',
    // Started with the instances, not after them: it checks them itself and serves those ready.
    depends_on: Object.fromEntries(
      apis.flatMap((api) =>
        haInstances(services.find((s) => s.name === api.name)!).map((i) => [
          i.name,
          { condition: 'service_started' },
        ]),
      ),
    ),
  };
}

/** docker-compose.ha.yml: the `ha` profile as the manifest describes it. */
export function renderHaCompose(services: readonly ServiceSpec[]): string {
  const needs = [...new Set(services.flatMap((s) => s.needs))];
  const apis = ports.apis.filter((api) => services.some((s) => s.name === api.name));
  const doc = {
    name: 'ml-system-designs-ha',
    services: {
      ...redisEntries(),
      ...kafkaEntries(),
      ...(needs.length > 0 ? { prepare: prepareEntry(needs) } : {}),
      ...Object.fromEntries(services.flatMap((spec) => instanceEntries(spec, services))),
      ...(apis.length > 0 ? { haproxy: balancerEntry(services) } : {}),
    },
    configs: {
      sentinel: {
        content: sentinelConf({
          port: SENTINEL_PORT,
          dir: '/data',
          primaryName: SENTINEL_PRIMARY_NAME,
          primaryPort: REDIS_PORT,
          quorum: SENTINEL_QUORUM,
          network: { primaryHost: 'redis' },
        }),
      },
      ...(apis.length > 0
        ? {
            haproxy: {
              content: haproxyConfig({
                apis,
                statsPort: ports.balancerStats,
                network: {
                  bindHost: '0.0.0.0',
                  instanceHost: (api, i) => `${api.name}-${i + 1}`,
                  // Docker's embedded DNS, in every container of a user-defined network.
                  nameserver: '127.0.0.11:53',
                },
              }),
            },
          }
        : {}),
    },
    ...(needs.length > 0 ? { volumes: { artifacts: {} } } : {}),
  };
  return header + stringify(doc, { lineWidth: 0, version: '1.1' });
}
