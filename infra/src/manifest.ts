/**
 * The stack manifest: every server and service, its port, environment,
 * dependencies and health check, written once. The local runner (`npm
 * start`) and docker-compose.yml are both derived from it, and a test fails
 * when the committed compose file drifts from what this file renders.
 */

export type Design = 'recs' | 'fraud' | 'both';
export type InfraName = 'redis' | 'kafka';
export type ArtifactSet = 'recs' | 'fraud';
export interface TopicReplication {
  replicationFactor: number;
  minInsyncReplicas: number;
}

/** A value in a service's environment, resolved per target (local processes or compose). */
export type EnvValue =
  | { literal: string }
  | { redisUrl: true }
  | { kafkaBrokers: true }
  /** How the topics a service creates are replicated: 1 by default, `HA_REPLICATION` under `ha`. */
  | { topicReplication: keyof TopicReplication }
  | { serviceUrl: string }
  /** Every instance of a service, comma-separated (one under the default profile): for a caller that spreads its calls. */
  | { serviceUrls: string }
  /** The interface to listen on: loopback for local processes unless `--expose`, every interface inside a container. */
  | { listenHost: true }
  | { artifacts: ArtifactSet }
  /** The wall-clock ms the stack started: one value for every service, kept across restarts (recs-core clock.ts). */
  | { servingClockAnchor: true };

export interface ServiceSpec {
  name: string;
  design: Design;
  /** One line for the `npm start` table and the README. */
  summary: string;
  /** Workspace folder; the built entry point is <dir>/dist/main.js. */
  dir: string;
  port: number;
  env: Record<string, EnvValue>;
  dependsOn: Array<InfraName | string>;
  /** Offline pipelines whose artifacts must exist before the service starts. */
  needs: ArtifactSet[];
  health: {
    live: string;
    ready: string;
    /** How long after start a failing readiness check is expected rather than a fault. */
    startPeriodMs: number;
  };
  /** Under the `ha` profile, one instance instead of HA_INSTANCES, for this reason (shown at start). */
  haSingleInstance?: string;
  /**
   * Under the `ha` profile, the next instance starts only once the previous one's ready answer no
   * longer contains this: start-up work that only one instance may do at a time.
   */
  haStartsAlone?: string;
}

export const INFRA_PORTS = {
  stack: { redis: 6379, kafka: 9092, kafkaController: 9093 },
  test: { redis: 16379, kafka: 19092, kafkaController: 19093 },
} as const;

/**
 * The `ha` profile's servers, clear of `stack`'s and `test`'s (and of Sentinel's customary 26379,
 * which a second checkout's Redis takes under MLSYS_PORT_OFFSET=20000). Three Kafka nodes, each
 * broker and controller: the smallest KRaft quorum that keeps a majority after losing one node.
 */
export const HA_INFRA_PORTS = {
  kafka: [9094, 9095, 9096],
  kafkaControllers: [9097, 9098, 9099],
  redis: 6380,
  redisReplica: 6381,
  sentinels: [6382, 6383, 6384],
  /** HAProxy's own page: `/healthz` answers while it runs, `/stats` shows every instance's state. */
  balancerStats: 8404,
} as const;

/** Every partition on all three nodes; an acks=all write waits for two, so one node may be lost. */
export const HA_REPLICATION: TopicReplication = { replicationFactor: 3, minInsyncReplicas: 2 };

/** The name the Sentinels monitor the primary under (what a Sentinel client asks for). */
export const SENTINEL_PRIMARY_NAME = 'mlsys';

/** Sentinels that must agree the primary is down before one of them fails it over: a majority of three. */
export const SENTINEL_QUORUM = 2;

/** Instances of every service under the `ha` profile. */
export const HA_INSTANCES = 2;

/** The services users call; under the `ha` profile HAProxy listens on their manifest port. */
export const PUBLIC_APIS = ['rec-api', 'txn-api'] as const;

/** The data profile `npm start` trains and serves. */
export const STACK_DATA_PROFILE = 'default';

/**
 * Every service is given this graceful-shutdown budget explicitly, so what
 * the stack stops them with can be derived from it rather than from a
 * default in another package.
 */
export const SHUTDOWN_DEADLINE_MS = 10_000;

/** Time between SIGTERM and SIGKILL: the shutdown budget plus room for the process to exit. */
export const STOP_GRACE_MS = SHUTDOWN_DEADLINE_MS + 5_000;

/**
 * The Redis minor the local runner serves (Debian 12's apt `redis-server`);
 * the compose image is pinned to it so both paths run the same server.
 */
export const REDIS_MINOR = '7.0';

const literal = (value: string): EnvValue => ({ literal: value });
/** A service that creates topics: the brokers, and how its topics are replicated. */
const kafka: Record<string, EnvValue> = {
  KAFKA_BROKERS: { kafkaBrokers: true },
  KAFKA_REPLICATION_FACTOR: { topicReplication: 'replicationFactor' },
  KAFKA_MIN_INSYNC_REPLICAS: { topicReplication: 'minInsyncReplicas' },
};
const common = (port: number): Record<string, EnvValue> => ({
  PORT: literal(String(port)),
  HOST: { listenHost: true },
  LOG_LEVEL: literal('info'),
  SHUTDOWN_DEADLINE_MS: literal(String(SHUTDOWN_DEADLINE_MS)),
});

/** Loading a model or an index, or joining a consumer group, is done well within this. */
const health = { live: '/livez', ready: '/readyz', startPeriodMs: 60_000 };

/**
 * The recs services that read the time run on the data's clock (data end +
 * time since the anchor); one anchor for all of them keeps their clocks equal.
 */
const servingClock: Record<string, EnvValue> = { SERVING_CLOCK_ANCHOR_MS: { servingClockAnchor: true } };

/**
 * Every service of both designs. The runner starts, and the compose file
 * lists, those whose folder exists (see `availableServices`), so a design
 * can land one service at a time.
 */
export const SERVICES: ServiceSpec[] = [
  // Recommendations
  {
    name: 'feature-store',
    design: 'recs',
    summary: 'user/song features in Redis (versioned, switched atomically); POST /v1/events/listen',
    dir: 'services/feature-store',
    port: 8081,
    env: {
      ...common(8081),
      REDIS_URL: { redisUrl: true },
      ARTIFACTS_DIR: { artifacts: 'recs' },
      ...servingClock,
    },
    dependsOn: ['redis'],
    needs: ['recs'],
    // /readyz is 503 until the first materialisation (every user and song of the profile) is live.
    health: { ...health, startPeriodMs: 300_000 },
    // Ready on an older version while it materialises new artifacts; two materialisations at once
    // would each collect the other's unfinished version (services/feature-store, versions.ts).
    haStartsAlone: 'materialising',
  },
  {
    name: 'candidate-gen',
    design: 'recs',
    summary: 'HNSW index over song embeddings; POST /v1/candidates (top-k by user vector)',
    dir: 'services/candidate-gen',
    port: 8082,
    env: { ...common(8082), ARTIFACTS_DIR: { artifacts: 'recs' } },
    dependsOn: [],
    needs: ['recs'],
    health,
  },
  {
    name: 'ranker',
    design: 'recs',
    summary: 'LightGBM LambdaRank in ONNX; POST /v1/rank scores up to 2000 candidates',
    dir: 'services/ranker',
    port: 8083,
    env: { ...common(8083), ARTIFACTS_DIR: { artifacts: 'recs' }, ...servingClock },
    dependsOn: [],
    needs: ['recs'],
    health,
  },
  {
    name: 'rules',
    design: 'recs',
    summary: 'diversity, freshness, licensing, explicit filter; POST /v1/apply (every change has a reason)',
    dir: 'services/rules',
    port: 8084,
    env: { ...common(8084) },
    dependsOn: [],
    needs: [],
    health,
  },
  {
    name: 'rec-api',
    design: 'recs',
    summary: 'GET /v1/recommendations/:userId, per-stage deadlines and fallbacks, Server-Timing',
    dir: 'services/rec-api',
    port: 8080,
    env: {
      ...common(8080),
      ARTIFACTS_DIR: { artifacts: 'recs' },
      // The features are read straight from the feature store's Redis (services/rec-api/README.md).
      REDIS_URL: { redisUrl: true },
      // Every instance: the stage clients spread their calls over those up (@mlsys/http-client).
      CANDIDATE_GEN_URL: { serviceUrls: 'candidate-gen' },
      RANKER_URL: { serviceUrls: 'ranker' },
      RULES_URL: { serviceUrls: 'rules' },
      ...servingClock,
    },
    // feature-store: its first materialisation must be live before the features can be read.
    dependsOn: ['redis', 'feature-store', 'candidate-gen', 'ranker', 'rules'],
    needs: ['recs'],
    health,
  },
  // Fraud detection
  {
    name: 'txn-api',
    design: 'fraud',
    summary: 'POST /v1/transactions (?wait=true: decided by the card partition owner); GET /v1/decisions/:id',
    dir: 'services/txn-api',
    port: 8090,
    env: {
      ...common(8090),
      REDIS_URL: { redisUrl: true },
      ...kafka,
    },
    dependsOn: ['redis', 'kafka'],
    needs: [],
    health,
  },
  {
    name: 'feature-engine',
    design: 'fraud',
    summary:
      'windowed features per card/terminal/device/IP; decides ?wait=true payments of its partitions (POST /v1/decide) -> `transactions.enriched`',
    dir: 'services/feature-engine',
    port: 8091,
    env: {
      ...common(8091),
      // Where txn-api reaches this instance for its partitions' request-path decisions.
      ADVERTISED_URL: { serviceUrl: 'feature-engine' },
      REDIS_URL: { redisUrl: true },
      ...kafka,
      ARTIFACTS_DIR: { artifacts: 'fraud' },
    },
    dependsOn: ['redis', 'kafka'],
    needs: ['fraud'],
    health,
    haSingleInstance:
      'one active instance until issue 11 item 2: its terminal/device/IP aggregates need every payment of a counterparty, the topic is keyed by card, so two instances would each see part; while it restarts, txn-api answers rules-only',
  },
  {
    name: 'fraud-scorer',
    design: 'fraud',
    summary: 'rules (reloadable data) + GBM in ONNX -> `decisions` with score, reasons, versions',
    dir: 'services/fraud-scorer',
    port: 8092,
    env: {
      ...common(8092),
      ...kafka,
      ARTIFACTS_DIR: { artifacts: 'fraud' },
    },
    dependsOn: ['kafka'],
    needs: ['fraud'],
    health,
  },
  {
    name: 'fraud-monitor',
    design: 'fraud',
    summary: 'joins `decisions` with `chargebacks`: precision/recall, PSI drift, calibration',
    dir: 'services/fraud-monitor',
    port: 8093,
    env: {
      ...common(8093),
      // The labelled-decision join (services/fraud-monitor/README.md, State).
      REDIS_URL: { redisUrl: true },
      ...kafka,
      ARTIFACTS_DIR: { artifacts: 'fraud' },
    },
    dependsOn: ['redis', 'kafka'],
    needs: ['fraud'],
    health,
  },
  // Both designs
  {
    name: 'console',
    design: 'both',
    summary:
      'the interview console: both topologies live, request explorer, demo traffic, faults; actions need ?token=<.cache/console-token>',
    dir: 'services/console',
    port: 8095,
    env: {
      ...common(8095),
      REDIS_URL: { redisUrl: true },
      KAFKA_BROKERS: { kafkaBrokers: true },
      RECS_ARTIFACTS_DIR: { artifacts: 'recs' },
      FRAUD_ARTIFACTS_DIR: { artifacts: 'fraud' },
      REC_API_URL: { serviceUrl: 'rec-api' },
      FEATURE_STORE_URL: { serviceUrl: 'feature-store' },
      CANDIDATE_GEN_URL: { serviceUrl: 'candidate-gen' },
      RANKER_URL: { serviceUrl: 'ranker' },
      RULES_URL: { serviceUrl: 'rules' },
      TXN_API_URL: { serviceUrl: 'txn-api' },
      FEATURE_ENGINE_URL: { serviceUrl: 'feature-engine' },
      FRAUD_SCORER_URL: { serviceUrl: 'fraud-scorer' },
      FRAUD_MONITOR_URL: { serviceUrl: 'fraud-monitor' },
      // Every instance's /metrics, summed per box (the public APIs' URLs above are their balancer under ha).
      REC_API_INSTANCES: { serviceUrls: 'rec-api' },
      FEATURE_STORE_INSTANCES: { serviceUrls: 'feature-store' },
      CANDIDATE_GEN_INSTANCES: { serviceUrls: 'candidate-gen' },
      RANKER_INSTANCES: { serviceUrls: 'ranker' },
      RULES_INSTANCES: { serviceUrls: 'rules' },
      TXN_API_INSTANCES: { serviceUrls: 'txn-api' },
      FEATURE_ENGINE_INSTANCES: { serviceUrls: 'feature-engine' },
      FRAUD_SCORER_INSTANCES: { serviceUrls: 'fraud-scorer' },
      FRAUD_MONITOR_INSTANCES: { serviceUrls: 'fraud-monitor' },
    },
    // Listed last, so `npm start` starts it after the services it watches; it depends on none of
    // them, so that one that is down shows as down on the page instead of keeping the page away.
    dependsOn: ['redis', 'kafka'],
    needs: ['recs', 'fraud'],
    health,
    haSingleInstance:
      'one page: demo traffic, load runs and faults belong to the process, two would run them twice; it scrapes every instance and draws each service as their sum',
  },
];

export function serviceByName(name: string): ServiceSpec {
  const spec = SERVICES.find((s) => s.name === name);
  if (!spec) throw new Error(`no service named ${name} in infra/src/manifest.ts`);
  return spec;
}

/** The services whose folder exists in this checkout. */
export function availableServices(exists: (dir: string) => boolean): ServiceSpec[] {
  return SERVICES.filter((spec) => exists(spec.dir));
}

/** Services in an order where each comes after everything it depends on. */
export function startOrder(services: readonly ServiceSpec[] = SERVICES): ServiceSpec[] {
  const ordered: ServiceSpec[] = [];
  const visiting = new Set<string>();
  const visit = (spec: ServiceSpec) => {
    if (ordered.includes(spec)) return;
    if (visiting.has(spec.name)) throw new Error(`dependency cycle through ${spec.name}`);
    visiting.add(spec.name);
    for (const dep of spec.dependsOn) {
      const other = services.find((s) => s.name === dep);
      if (other) visit(other);
    }
    visiting.delete(spec.name);
    ordered.push(spec);
  };
  for (const spec of services) visit(spec);
  return ordered;
}

export interface EnvTarget {
  redisUrl: string;
  kafkaBrokers: string;
  /** Replication of the topics services create; one replica when not given (a single broker). */
  topicReplication?: TopicReplication;
  serviceUrl(spec: ServiceSpec): string;
  /** Every instance's URL, where a target runs several; without it, `serviceUrl`'s one. */
  serviceUrls?(spec: ServiceSpec): string[];
  artifactsDir(set: ArtifactSet): string;
  listenHost: string;
  /**
   * The value of SERVING_CLOCK_ANCHOR_MS; a target without one leaves the
   * variable out and each service anchors at its own start.
   */
  servingClockAnchorMs?: string;
}

export function resolveEnv(spec: ServiceSpec, target: EnvTarget): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.env)) {
    if ('literal' in value) out[name] = value.literal;
    else if ('redisUrl' in value) out[name] = target.redisUrl;
    else if ('kafkaBrokers' in value) out[name] = target.kafkaBrokers;
    else if ('topicReplication' in value)
      out[name] = String(target.topicReplication?.[value.topicReplication] ?? 1);
    else if ('serviceUrl' in value) out[name] = target.serviceUrl(serviceByName(value.serviceUrl));
    else if ('serviceUrls' in value) {
      const other = serviceByName(value.serviceUrls);
      out[name] = (target.serviceUrls?.(other) ?? [target.serviceUrl(other)]).join(',');
    } else if ('listenHost' in value) out[name] = target.listenHost;
    else if ('artifacts' in value) out[name] = target.artifactsDir(value.artifacts);
    else if (target.servingClockAnchorMs !== undefined) out[name] = target.servingClockAnchorMs;
  }
  return out;
}
