import { stringify } from 'yaml';
import {
  type ArtifactSet,
  INFRA_PORTS,
  REDIS_MINOR,
  resolveEnv,
  type ServiceSpec,
  STACK_DATA_PROFILE,
  STOP_GRACE_MS,
} from './manifest.js';

export const IMAGE = 'ml-system-designs:local';
const APP_DIR = '/app';
const KAFKA_INTERNAL = 'kafka:29092';
const ports = INFRA_PORTS.stack;
/** Host interface the containers' ports are published on: this machine only, never the network. */
export const PUBLISH = '127.0.0.1';
/** Redis and Kafka flush to disk on SIGTERM; the local runner gives them as long (servers.ts). */
export const SERVER_STOP_GRACE = '30s';

/** A compose duration. */
export const seconds = (ms: number): string => `${Math.ceil(ms / 1000)}s`;

/** Where the prepare step trains into, inside every container that mounts the artifacts volume. */
export const containerArtifactsDir = (set: ArtifactSet) =>
  `${APP_DIR}/.cache/artifacts/${set}/${STACK_DATA_PROFILE}`;

/** The serving clock's anchor: interpolated by compose from the caller's environment (unset: ''). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: compose's interpolation syntax, not a JavaScript template
export const COMPOSE_CLOCK_ANCHOR = '${SERVING_CLOCK_ANCHOR_MS:-}';

const header = `# Generated from infra/src/manifest.ts by \`npm run infra -- compose\`; do not edit by hand.
# A test (infra/test/compose.test.ts) fails when this file and the manifest disagree.
# Where a container engine runs: docker compose up --build
# The recs services run on the data's clock from the moment each starts; to give them one anchor
# (and keep it across restarts): SERVING_CLOCK_ANCHOR_MS=$(($(date +%s) * 1000)) docker compose up --build
`;

function serviceEntry(spec: ServiceSpec): Record<string, unknown> {
  const environment = resolveEnv(spec, {
    redisUrl: 'redis://redis:6379',
    kafkaBrokers: KAFKA_INTERNAL,
    serviceUrl: (other) => `http://${other.name}:${other.port}`,
    // Inside the compose network every interface; published to the host on loopback only (PUBLISH).
    listenHost: '0.0.0.0',
    artifactsDir: containerArtifactsDir,
    // Unset gives '', which the services read as unset.
    servingClockAnchorMs: COMPOSE_CLOCK_ANCHOR,
  });
  const dependsOn: Record<string, { condition: string }> = {};
  for (const dep of spec.dependsOn) dependsOn[dep] = { condition: 'service_healthy' };
  return containerEntry(spec, { port: spec.port, environment, dependsOn });
}

/**
 * One container of a service (under `ha`, of one of its instances): the shared image, its
 * environment, its port published on loopback, a restart on failure, a health check on
 * `/readyz` whose start period covers the service's start, and a stop grace beyond its
 * shutdown deadline.
 */
export function containerEntry(
  spec: ServiceSpec,
  {
    port,
    environment,
    dependsOn,
  }: { port: number; environment: Record<string, string>; dependsOn: Record<string, { condition: string }> },
): Record<string, unknown> {
  if (spec.needs.length > 0) dependsOn.prepare = { condition: 'service_completed_successfully' };
  return {
    image: IMAGE,
    command: ['node', '--enable-source-maps', `${spec.dir}/dist/main.js`],
    environment,
    ports: [`${PUBLISH}:${port}:${port}`],
    ...(spec.needs.length > 0 ? { volumes: ['artifacts:/app/.cache/artifacts'] } : {}),
    depends_on: dependsOn,
    // A crash is restarted; a stop asked for (compose down, docker stop) is not.
    restart: 'on-failure',
    stop_grace_period: seconds(STOP_GRACE_MS),
    healthcheck: {
      test: [
        'CMD',
        'node',
        '-e',
        `fetch('http://127.0.0.1:${port}${spec.health.ready}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
      ],
      interval: '5s',
      timeout: '3s',
      retries: 24,
      start_period: seconds(spec.health.startPeriodMs),
    },
  };
}

/** The one-off container that trains the artifacts into the shared volume. No restart policy: a failed training run is reported, not retried in a loop. */
export function prepareEntry(needs: ArtifactSet[]): Record<string, unknown> {
  return {
    image: IMAGE,
    build: { context: '.', dockerfile: 'infra/Dockerfile' },
    command: ['node', 'scripts/bootstrap.mjs', 'infra', 'prepare', '--data', STACK_DATA_PROFILE, ...needs],
    volumes: ['artifacts:/app/.cache/artifacts'],
  };
}

/** docker-compose.yml as the manifest describes it. */
export function renderCompose(services: readonly ServiceSpec[]): string {
  const needs = [...new Set(services.flatMap((s) => s.needs))];
  const doc: Record<string, unknown> = {
    name: 'ml-system-designs',
    services: {
      redis: {
        image: `redis:${REDIS_MINOR}`,
        command: ['redis-server', '--appendonly', 'yes'],
        ports: [`${PUBLISH}:${ports.redis}:6379`],
        restart: 'on-failure',
        stop_grace_period: SERVER_STOP_GRACE,
        healthcheck: {
          test: ['CMD', 'redis-cli', 'ping'],
          interval: '2s',
          timeout: '2s',
          retries: 30,
          // Replaying the append-only file after a restart (the feature store's key space).
          start_period: '60s',
        },
      },
      kafka: {
        image: 'apache/kafka:3.9.1',
        ports: [`${PUBLISH}:${ports.kafka}:9092`],
        restart: 'on-failure',
        stop_grace_period: SERVER_STOP_GRACE,
        environment: {
          KAFKA_NODE_ID: '1',
          KAFKA_PROCESS_ROLES: 'broker,controller',
          KAFKA_LISTENERS: 'INTERNAL://0.0.0.0:29092,EXTERNAL://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093',
          KAFKA_ADVERTISED_LISTENERS: `INTERNAL://${KAFKA_INTERNAL},EXTERNAL://127.0.0.1:${ports.kafka}`,
          KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
          KAFKA_INTER_BROKER_LISTENER_NAME: 'INTERNAL',
          KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
          KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
          KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
          KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
          KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
          KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
          KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        },
        healthcheck: {
          test: [
            'CMD-SHELL',
            '/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092 > /dev/null',
          ],
          interval: '5s',
          timeout: '10s',
          retries: 24,
          start_period: '30s',
        },
      },
      ...(needs.length > 0
        ? {
            prepare: prepareEntry(needs),
          }
        : {}),
      ...Object.fromEntries(services.map((spec) => [spec.name, serviceEntry(spec)])),
    },
    ...(needs.length > 0 ? { volumes: { artifacts: {} } } : {}),
  };
  // Without a prepare step, the first service builds the image.
  if (needs.length === 0 && services[0]) {
    (doc.services as Record<string, Record<string, unknown>>)[services[0].name]!.build = {
      context: '.',
      dockerfile: 'infra/Dockerfile',
    };
  }
  // YAML 1.1 quoting, so that values such as `yes` stay strings for every compose parser.
  return header + stringify(doc, { lineWidth: 0, version: '1.1' });
}
