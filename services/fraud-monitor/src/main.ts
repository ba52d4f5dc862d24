// fraud-monitor process entry: reads the environment, loads the training
// reference, joins decisions and chargebacks in Redis, samples enriched
// transactions for drift, serves the report, and shuts down in order.
import { randomUUID } from 'node:crypto';
import {
  env,
  loadConfigOrExit,
  serviceEnv,
  topicReplication,
  topicReplicationEnv,
  type VarSpec,
} from '@mlsys/config';
import { Topics } from '@mlsys/contracts';
import { loadFraudArtifacts } from '@mlsys/fraud-core';
import { createKafka, describeCluster, ensureTopics, JsonProducer } from '@mlsys/kafka';
import { closeRedis, connectRedis, createRedis, pingRedis } from '@mlsys/redis';
import { installShutdown, packageVersion, WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { createMonitorConsumers } from './adapters/monitor-consumers.js';
import { registerLabelStoreMetrics } from './adapters/monitor-metrics.js';
import { RedisLabelStore } from './adapters/redis-label-store.js';
import { buildApp } from './app.js';
import { DriftMonitor } from './domain/drift.js';
import { FraudMonitor } from './domain/fraud-monitor.js';
import { parseCohorts, parseWindow } from './domain/windows.js';
import { warmUpReport } from './warm-up.js';

const SERVICE = 'fraud-monitor';
const version = packageVersion(import.meta.url);

/** PSI above 0.2 is the usual reading of "the population has shifted". */
const DRIFT_ALARM_PSI = 0.2;

/** A number in [min, max] (the config package reads whole numbers only). */
const decimal = (options: {
  description: string;
  default: number;
  min: number;
  max: number;
}): VarSpec<number> => ({
  description: options.description,
  fallback: options.default,
  parse: (raw) => {
    const value = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(value)) throw new Error(`must be a number, got "${raw}"`);
    if (value < options.min || value > options.max) {
      throw new Error(`must be in [${options.min}, ${options.max}], got ${value}`);
    }
    return value;
  },
});

const config = loadConfigOrExit(
  SERVICE,
  {
    ...serviceEnv(8093),
    KAFKA_BROKERS: env.list({ description: 'Kafka bootstrap servers, e.g. 127.0.0.1:9092' }),
    ...topicReplicationEnv(),
    REDIS_URL: env.redisUrl({
      description:
        'Redis holding the decision/chargeback join, e.g. redis://127.0.0.1:6379 or redis-sentinel://127.0.0.1:6382,127.0.0.1:6383#mlsys',
    }),
    LABELS_NAMESPACE: env.string({ description: 'prefix of the Redis keys of the join', default: 'fm' }),
    LABEL_HORIZON: env.string({
      description: 'how long after a payment its chargeback may arrive (keys live this + the longest window)',
      default: '90d',
    }),
    ARTIFACTS_DIR: env.string({
      description:
        'fraud artifact folder (training reference distributions), e.g. .cache/artifacts/fraud/default',
    }),
    QUALITY_WINDOWS: env.list({
      description: 'sliding windows of decision event time for precision and recall',
      default: ['1h', '24h', '7d'],
    }),
    CALIBRATION_WINDOW: env.string({
      description: 'window of the reliability bins and ECE',
      default: '7d',
    }),
    CALIBRATION_BINS: env.int({ description: 'equal-width score bins', default: 10, min: 2, max: 100 }),
    LABEL_COHORTS: env.list({
      description:
        'upper age edges of the decision-age cohorts (7d,14d gives 0-7d and 7d-14d), within LABEL_HORIZON',
      default: ['7d', '14d', '30d', '60d'],
    }),
    MIN_LABEL_COVERAGE: decimal({
      description: 'label coverage below which precision, recall and ECE are "not yet known" (null)',
      default: 0.8,
      min: 0,
      max: 1,
    }),
    LABEL_DELAY_PRIOR_MEDIAN: env.string({
      description: 'median chargeback delay assumed until enough chargebacks are read (log-normal prior)',
      default: '7d',
    }),
    LABEL_DELAY_PRIOR_SPREAD: decimal({
      description: 'standard deviation of ln(delay) of the prior',
      default: 0.6,
      min: 0.01,
      max: 5,
    }),
    LABEL_DELAY_MIN_CHARGEBACKS: env.int({
      description: 'chargebacks a delay day must rest on to be learned rather than taken from the prior',
      default: 100,
      min: 1,
    }),
    DRIFT_SAMPLE: env.int({
      description: 'latest transactions the PSI is computed over',
      default: 10_000,
      min: 100,
    }),
    DRIFT_MIN_SAMPLE: env.int({
      description: 'no drift alarm before the sample has this many transactions',
      default: 1_000,
      min: 1,
    }),
    CONSUMER_GROUP: env.string({ description: 'Kafka consumer group prefix', default: SERVICE }),
    DECISIONS_TOPIC: env.string({ description: 'decisions in', default: Topics.decisions.name }),
    CHARGEBACKS_TOPIC: env.string({ description: 'labels in', default: Topics.chargebacks.name }),
    ENRICHED_TOPIC: env.string({ description: 'features in', default: Topics.transactionsEnriched.name }),
    DLQ_TOPIC: env.string({ description: 'malformed messages', default: Topics.transactionsDlq.name }),
  },
  process.env,
);

const windows = (() => {
  try {
    const labelHorizon = parseWindow(config.LABEL_HORIZON);
    const cohorts = parseCohorts(config.LABEL_COHORTS);
    const oldest = cohorts.at(-1)!;
    // The join's keys are only sure to live the horizon (and the longest window) after their last write.
    if (oldest.toMs > labelHorizon.ms) {
      throw new Error(
        `the oldest cohort (${oldest.name}) reaches beyond LABEL_HORIZON (${labelHorizon.name})`,
      );
    }
    return {
      quality: config.QUALITY_WINDOWS.map(parseWindow),
      calibration: parseWindow(config.CALIBRATION_WINDOW),
      cohorts,
      labelHorizon,
      priorMedian: parseWindow(config.LABEL_DELAY_PRIOR_MEDIAN),
    };
  } catch (error) {
    console.error(
      `${SERVICE} cannot start: QUALITY_WINDOWS, CALIBRATION_WINDOW, LABEL_COHORTS, LABEL_HORIZON or LABEL_DELAY_PRIOR_MEDIAN: ${(error as Error).message}`,
    );
    process.exit(1);
  }
})();

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const shutdown = installShutdown({ service: SERVICE, logger, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
await shutdown.startUp(async () => {
  const metrics = createMetrics(SERVICE);
  const artifacts = loadFraudArtifacts(config.ARTIFACTS_DIR);
  const driftOptions = {
    sampleSize: config.DRIFT_SAMPLE,
    threshold: DRIFT_ALARM_PSI,
    minSample: config.DRIFT_MIN_SAMPLE,
  };
  const redis = createRedis({
    url: config.REDIS_URL,
    onError: (err) => logger.warn({ err: err.message }, 'redis connection error'),
  });
  shutdown.onStop('redis', () => closeRedis(redis));
  await connectRedis(redis, config.REDIS_URL);
  const labels = new RedisLabelStore({
    redis,
    windows: {
      quality: windows.quality,
      calibration: windows.calibration,
      calibrationBins: config.CALIBRATION_BINS,
      cohorts: windows.cohorts,
    },
    maturity: {
      minCoverage: config.MIN_LABEL_COVERAGE,
      prior: { medianMs: windows.priorMedian.ms, spread: config.LABEL_DELAY_PRIOR_SPREAD },
      minChargebacks: config.LABEL_DELAY_MIN_CHARGEBACKS,
    },
    namespace: config.LABELS_NAMESPACE,
    labelHorizonMs: windows.labelHorizon.ms,
    onWritten: registerLabelStoreMetrics(metrics),
  });
  await labels.open();
  const monitor = new FraudMonitor({
    labels,
    drift: new DriftMonitor(artifacts.reference, artifacts.manifest.featureNames, driftOptions),
    driftOptions,
    modelVersion: artifacts.manifest.artifactVersion,
    featureSpecVersion: artifacts.manifest.featureSpecVersion,
  });

  const kafka = createKafka({ clientId: SERVICE, brokers: config.KAFKA_BROKERS, logger });
  const topics = {
    decisions: config.DECISIONS_TOPIC,
    chargebacks: config.CHARGEBACKS_TOPIC,
    enriched: config.ENRICHED_TOPIC,
    deadLetters: config.DLQ_TOPIC,
  };
  await ensureTopics(
    kafka,
    [
      { name: topics.decisions, partitions: Topics.decisions.partitions },
      { name: topics.chargebacks, partitions: Topics.chargebacks.partitions },
      { name: topics.enriched, partitions: Topics.transactionsEnriched.partitions },
      { name: topics.deadLetters, partitions: Topics.transactionsDlq.partitions },
    ],
    topicReplication(config),
  );
  const producer = new JsonProducer(kafka);
  shutdown.onStop('kafka producer (dead letters)', () => producer.disconnect());
  await producer.connect();
  const consumers = createMonitorConsumers({
    kafka,
    producer,
    monitor,
    topics,
    groupPrefix: config.CONSUMER_GROUP,
    instanceId: randomUUID().slice(0, 8),
    logger,
  });
  shutdown.onStop('consumers (leave the groups)', async () => {
    await Promise.all(consumers.map((c) => c.stop()));
  });
  await Promise.all(consumers.map((consumer) => consumer.start()));

  const warmUp = new WarmUp({ logger, metrics });
  const app = buildApp({
    logger,
    metrics,
    version,
    warmUp,
    report: () => monitor.report(),
    readiness: {
      kafka: () => describeCluster(kafka),
      redis: () => pingRedis(redis),
      consumers: async () => {
        if (!consumers.every((c) => c.isRunning)) throw new Error('not every consumer is running');
      },
    },
    artifacts: () => ({
      model: artifacts.manifest.artifactVersion,
      featureSpec: artifacts.manifest.featureSpecVersion,
    }),
  });
  warmUpReport(warmUp, app, {
    scratchDrift: () => new DriftMonitor(artifacts.reference, artifacts.manifest.featureNames, driftOptions),
    featureCount: artifacts.manifest.featureNames.length,
  });
  shutdown.onStop('http (stop accepting, finish in-flight requests)', () => app.close());
  await app.listen({ host: config.HOST, port: config.PORT });
  await warmUp.run();
});
