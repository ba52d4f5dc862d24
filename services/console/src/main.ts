// console process entry: reads the environment, opens Kafka and Redis, scrapes the stack, serves the page.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { env, loadConfigOrExit, serviceEnv } from '@mlsys/config';
import { type Chargeback, CONSOLE_LOAD_SCENARIOS, Topics } from '@mlsys/contracts';
import { fraud } from '@mlsys/datagen';
import { loadFraudArtifacts } from '@mlsys/fraud-core';
import { createKafka, JsonProducer } from '@mlsys/kafka';
import { FAULTS } from '@mlsys/load-tests/faults';
import { SLO } from '@mlsys/load-tests/slo';
import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';
import { closeRedis, connectRedis, createRedis } from '@mlsys/redis';
import { installShutdown, packageVersion } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { EnrichedLookup } from './adapters/enriched-lookup.js';
import { FaultInjector } from './adapters/fault-injector.js';
import { explainPayments } from './adapters/fraud-explorer.js';
import { KafkaLagReader } from './adapters/kafka-lag-reader.js';
import { childProcessLauncher, LoadRuns, loadRunnerArgs } from './adapters/load-runs.js';
import { MetricsScraper } from './adapters/metrics-scraper.js';
import { explainRecommendation } from './adapters/recs-explorer.js';
import { TrafficRunner } from './adapters/traffic-runner.js';
import { buildApp } from './app.js';
import { presetSteps } from './domain/fraud-presets.js';
import { fraudDrawing, recsDrawing, SCRAPED_SERVICES, type ScrapedService } from './domain/topology.js';
import { topologyView } from './domain/topology-view.js';
import { listenerMix } from './domain/traffic-schedule.js';
import { WatchCadence } from './domain/watch-cadence.js';
import { presetWorld, sampleUsers } from './world.js';

const SERVICE = 'console';
const version = packageVersion(import.meta.url);
/** The checkout's `.cache`, from this file (src/ or dist/): where `npm start` keeps its state. */
const CACHE_DIR_URL = new URL('../../../.cache/', import.meta.url);
const CACHE_DIR = fileURLToPath(CACHE_DIR_URL);

const DEFAULT_PORTS: Record<ScrapedService, number> = {
  'rec-api': 8080,
  'feature-store': 8081,
  'candidate-gen': 8082,
  ranker: 8083,
  rules: 8084,
  'txn-api': 8090,
  'feature-engine': 8091,
  'fraud-scorer': 8092,
  'fraud-monitor': 8093,
};
const urlVar = (service: ScrapedService) => `${service.toUpperCase().replaceAll('-', '_')}_URL`;
const instancesVar = (service: ScrapedService) => `${service.toUpperCase().replaceAll('-', '_')}_INSTANCES`;
const serviceUrls = Object.fromEntries(
  SCRAPED_SERVICES.map((service) => [
    urlVar(service),
    env.url({
      description: `base URL of ${service}`,
      default: `http://127.0.0.1:${DEFAULT_PORTS[service]}`,
      protocols: ['http', 'https'],
    }),
  ]),
);
// A public API's URL is its balancer under `ha`: /metrics through it would mix the instances' counters.
const instanceLists = Object.fromEntries(
  SCRAPED_SERVICES.map((service) => [
    instancesVar(service),
    env.list({
      description: `base URL of each instance of ${service} whose /metrics the topology sums (default: ${urlVar(service)})`,
      default: [],
    }),
  ]),
);

const config = loadConfigOrExit(
  SERVICE,
  {
    ...serviceEnv(8095),
    ...serviceUrls,
    REDIS_URL: env.redisUrl({
      description: "the stack's Redis (the pause fault), or its Sentinels (redis-sentinel://)",
    }),
    KAFKA_BROKERS: env.list({ description: 'Kafka brokers (lag, chargebacks, the explorer features)' }),
    RECS_ARTIFACTS_DIR: env.string({ description: 'the recs artifact set (listeners and regions)' }),
    FRAUD_ARTIFACTS_DIR: env.string({ description: 'the fraud artifact set (its simulator profile)' }),
    ENRICHED_TOPIC: env.string({
      description: 'topic of enriched payments',
      default: Topics.transactionsEnriched.name,
    }),
    CHARGEBACKS_TOPIC: env.string({
      description: 'topic chargebacks go to',
      default: Topics.chargebacks.name,
    }),
    CONSOLE_TOKEN: env.string({
      description: 'the action token; empty: read from TOKEN_FILE, or made and written there',
      default: '',
    }),
    TOKEN_FILE: env.string({
      description: 'where the token is kept between runs',
      default: `${CACHE_DIR}console-token`,
    }),
    LOAD_REPORTS_DIR: env.string({
      description: 'where the load runs started from the page write their reports, a folder per run',
      default: `${CACHE_DIR}console/load-runs`,
    }),
    CONSUMER_GROUP: env.string({ description: "prefix of the console's Kafka groups", default: 'console' }),
    LAG_GROUPS: env.list({
      description:
        "consumer groups (name prefixes) the Kafka box shows; all but the console's own when unset",
      default: [],
    }),
    SCRAPE_INTERVAL_MS: env.int({
      description: 'time between two scrapes of /metrics (and reads of the Kafka lag) while a page is open',
      default: 2000,
      min: 200,
    }),
    IDLE_SCRAPE_INTERVAL_MS: env.int({
      description:
        'time between two scrapes while no page has asked for the topology for 30 s: each scrape costs every instance CPU',
      default: 15_000,
      min: 200,
    }),
    WINDOW_SECONDS: env.int({
      description: 'the window the boxes summarise',
      default: 60,
      min: 5,
      max: 3600,
    }),
    LAG_ALERT_RECORDS: env.int({
      description: 'a consumer group this far behind and falling further turns the Kafka box amber',
      default: 1000,
      min: 1,
    }),
    TRAFFIC_RECS: env.int({ description: 'demo recommendation requests/s at start', default: 0, min: 0 }),
    TRAFFIC_FRAUD: env.int({ description: 'demo payments/s at start', default: 0, min: 0 }),
  },
  process.env,
);
const url = (service: ScrapedService) => config[urlVar(service) as keyof typeof config] as string;
const instanceConfig = loadConfigOrExit(SERVICE, instanceLists, process.env);
const instances = (service: ScrapedService) => {
  const listed = instanceConfig[instancesVar(service)] ?? [];
  return listed.length > 0 ? listed : [url(service)];
};

/** The token from the environment, else the token file, else a new one written there (owner-only). */
function actionToken(): { token: string; from: string } {
  if (config.CONSOLE_TOKEN !== '') return { token: config.CONSOLE_TOKEN, from: 'CONSOLE_TOKEN' };
  if (existsSync(config.TOKEN_FILE)) {
    const kept = readFileSync(config.TOKEN_FILE, 'utf8').trim();
    if (kept !== '') return { token: kept, from: config.TOKEN_FILE };
  }
  const token = randomBytes(18).toString('base64url');
  mkdirSync(dirname(config.TOKEN_FILE), { recursive: true });
  writeFileSync(config.TOKEN_FILE, `${token}\n`, { mode: 0o600 });
  return { token, from: config.TOKEN_FILE };
}

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const shutdown = installShutdown({ service: SERVICE, logger, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
await shutdown.startUp(async () => {
  const { token, from } = actionToken();
  const recsArtifacts = loadRecsArtifacts(config.RECS_ARTIFACTS_DIR);
  const fraudArtifacts = loadFraudArtifacts(config.FRAUD_ARTIFACTS_DIR);
  const fraudProfile = fraud.fraudProfile(fraudArtifacts.manifest.profile);
  const regions = recsArtifacts.manifest.regions.map((r) => r.code);
  const users = recsArtifacts.readUsers().map((u) => ({ id: String(u.id), region: u.region }));
  const runId = `${Date.now().toString(36)}`;

  const kafka = createKafka({ clientId: SERVICE, brokers: config.KAFKA_BROKERS, logger });
  const producer = new JsonProducer(kafka);
  await producer.connect();
  shutdown.onStop('kafka producer', () => producer.disconnect());
  const reportChargebacks = (chargebacks: Chargeback[]) =>
    producer.send(
      config.CHARGEBACKS_TOPIC,
      chargebacks.map((c) => ({ key: c.cardId, value: c, timestamp: c.reportedAt })),
    );

  const redis = createRedis({ url: config.REDIS_URL, commandTimeoutMs: 2000 });
  await connectRedis(redis, config.REDIS_URL);
  shutdown.onStop('redis', () => closeRedis(redis));

  const windowMs = config.WINDOW_SECONDS * 1000;
  // Fast while a page polls the topology (it does every SCRAPE_INTERVAL_MS), idle otherwise.
  const cadence = new WatchCadence({
    fastMs: config.SCRAPE_INTERVAL_MS,
    idleMs: config.IDLE_SCRAPE_INTERVAL_MS,
    watchedForMs: Math.max(30_000, 3 * config.SCRAPE_INTERVAL_MS),
  });
  const scraper = new MetricsScraper({
    targets: Object.fromEntries(SCRAPED_SERVICES.map((s) => [s, instances(s)])),
    windowMs,
  });
  scraper.start(cadence);
  shutdown.onStop('metrics scraper', () => scraper.stop());
  const lag = new KafkaLagReader(kafka, {
    windowMs,
    ignoreGroupPrefixes: [config.CONSUMER_GROUP, 'reader-'],
    ...(config.LAG_GROUPS.length > 0 ? { onlyGroupPrefixes: config.LAG_GROUPS } : {}),
  });
  lag.start(cadence);
  shutdown.onStop('kafka lag reader', () => lag.stop());

  const lookup = new EnrichedLookup(kafka, {
    topic: config.ENRICHED_TOPIC,
    groupId: `${config.CONSUMER_GROUP}.explorer.${runId}`,
    idPrefix: `console-${runId}-`,
  });
  await lookup.start();
  shutdown.onStop('explorer consumer', () => lookup.stop());

  const traffic = new TrafficRunner({
    recApiUrl: url('rec-api'),
    featureStoreUrl: url('feature-store'),
    txnApiUrl: url('txn-api'),
    nextListener: listenerMix({
      users,
      regions,
      newUserShare: 0.05,
      travelShare: 0.1,
      zipfExponent: 1,
      random: Math.random,
      newUserPrefix: `new-${runId}-`,
    }),
    fraudProfile,
    reportChargebacks,
    idPrefix: `traffic-${runId}-`,
  });
  shutdown.onStop('demo traffic', () => traffic.stop());
  const faults = new FaultInjector({
    stack: { root: fileURLToPath(new URL('..', CACHE_DIR_URL)) },
    redisCommand: (command, ...args) => redis.call(command, ...args),
    traffic,
  });
  shutdown.onStop('timed faults', () => faults.stop());

  const checkout = fileURLToPath(new URL('..', CACHE_DIR_URL));
  const loadRuns = new LoadRuns({
    reportsDir: config.LOAD_REPORTS_DIR,
    launch: childProcessLauncher({
      root: checkout,
      runner: loadRunnerArgs(checkout),
      env: {
        PATH: process.env.PATH ?? '',
        REC_API_URL: url('rec-api'),
        TXN_API_URL: url('txn-api'),
        KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
      },
    }),
  });
  shutdown.onStop('load run (stopped, not finished)', () => loadRuns.stop());

  const world = presetWorld(fraudProfile);
  let explorerSequence = 0;
  const explorer = {
    txnApiUrl: url('txn-api'),
    lookup,
    reportChargebacks,
    featureNames: fraudArtifacts.manifest.featureNames,
  };
  const drawings = [recsDrawing(SLO.recs), fraudDrawing(SLO.fraud)];
  const app = buildApp({
    logger,
    metrics: createMetrics(SERVICE),
    version,
    token,
    drawings,
    windowSeconds: config.WINDOW_SECONDS,
    scrapeIntervalMs: config.SCRAPE_INTERVAL_MS,
    topology: () => {
      cadence.watched();
      return topologyView(drawings, scraper.histories, lag.history, {
        at: Date.now(),
        windowSeconds: config.WINDOW_SECONDS,
        lagAlertRecords: config.LAG_ALERT_RECORDS,
      });
    },
    recs: {
      users: sampleUsers(users, 40),
      regions,
      explain: (query) => explainRecommendation(url('rec-api'), query),
    },
    fraud: {
      explainPreset: (preset) =>
        explainPayments(
          explorer,
          presetSteps(preset, {
            world,
            now: Date.now(),
            random: Math.random,
            nextId: () => `console-${runId}-${++explorerSequence}`,
          }),
        ),
      explainPayment: (payment) =>
        explainPayments(explorer, [
          {
            kind: 'payment',
            transaction: {
              ...payment,
              transactionId: `console-${runId}-${++explorerSequence}`,
              eventTime: Date.now(),
            },
          },
        ]),
    },
    traffic,
    faults: { list: FAULTS, inject: (request) => faults.inject(request) },
    load: {
      scenarios: CONSOLE_LOAD_SCENARIOS,
      start: (request) => loadRuns.start(request),
      status: () => loadRuns.status(),
      stop: () => loadRuns.stop(),
      reportFile: (name) => loadRuns.reportFile(name),
    },
    docs: Object.fromEntries(SCRAPED_SERVICES.map((s) => [s, `${url(s)}/docs`])),
  });
  shutdown.onStop('http (stop accepting, finish in-flight requests)', () => app.close());
  await app.listen({ host: config.HOST, port: config.PORT });
  if (config.TRAFFIC_RECS > 0 || config.TRAFFIC_FRAUD > 0)
    traffic.update({ recs: config.TRAFFIC_RECS, fraud: config.TRAFFIC_FRAUD });
  logger.info(
    { url: `http://${config.HOST}:${config.PORT}/`, token: from },
    'console ready; actions need the token (open the page with ?token=<token>)',
  );
});
