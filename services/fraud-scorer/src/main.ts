// fraud-scorer process entry: reads the environment, loads the model and the
// rules (watching the rules file), runs the exactly-once scoring stream,
// serves HTTP, and shuts down in order.
import {
  env,
  loadConfigOrExit,
  serviceEnv,
  streamEnv,
  topicReplication,
  topicReplicationEnv,
} from '@mlsys/config';
import { Topics } from '@mlsys/contracts';
import { loadFraudArtifacts } from '@mlsys/fraud-core';
import { createKafka, describeCluster, ensureTopics } from '@mlsys/kafka';
import { installShutdown, packageVersion, WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { OnnxFraudModel } from './adapters/onnx-model.js';
import { RulesFile } from './adapters/rules-file.js';
import { scoringMetrics } from './adapters/scoring-metrics.js';
import { createScoringStream } from './adapters/scoring-stream.js';
import { buildApp } from './app.js';
import { ScoringTask } from './domain/scoring-task.js';
import { DEFAULT_RULES_FILE } from './rules-only.js';
import { warmUpScoring } from './warm-up.js';

const SERVICE = 'fraud-scorer';
const version = packageVersion(import.meta.url);

const config = loadConfigOrExit(
  SERVICE,
  {
    ...serviceEnv(8092),
    KAFKA_BROKERS: env.list({ description: 'Kafka bootstrap servers, e.g. 127.0.0.1:9092' }),
    ...topicReplicationEnv(),
    ARTIFACTS_DIR: env.string({
      description:
        'fraud artifact folder (model.onnx, calibration, thresholds), e.g. .cache/artifacts/fraud/default',
    }),
    RULES_FILE: env.string({
      description: 'the rules file (JSON), reloaded when it changes',
      default: DEFAULT_RULES_FILE,
    }),
    ONNX_THREADS: env.int({ description: 'onnxruntime intra-op threads', default: 1, min: 1, max: 64 }),
    ...streamEnv(SERVICE),
    ENRICHED_TOPIC: env.string({ description: 'features in', default: Topics.transactionsEnriched.name }),
    DECISIONS_TOPIC: env.string({ description: 'decisions out', default: Topics.decisions.name }),
    DLQ_TOPIC: env.string({ description: 'malformed messages', default: Topics.transactionsDlq.name }),
  },
  process.env,
);

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const shutdown = installShutdown({ service: SERVICE, logger, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
await shutdown.startUp(async () => {
  const metrics = createMetrics(SERVICE);
  const observed = scoringMetrics(metrics, (level, message, fields) => logger[level](fields, message));
  const artifacts = loadFraudArtifacts(config.ARTIFACTS_DIR);
  const model = await OnnxFraudModel.load(artifacts, config.ONNX_THREADS);
  shutdown.onStop('model', () => model.close());
  const rules = new RulesFile(config.RULES_FILE, observed.rulesEvents);
  rules.watch();
  shutdown.onStop('rules watcher', () => rules.close());
  const kafka = createKafka({ clientId: SERVICE, brokers: config.KAFKA_BROKERS, logger });
  const topics = {
    enriched: config.ENRICHED_TOPIC,
    decisions: config.DECISIONS_TOPIC,
    deadLetters: config.DLQ_TOPIC,
  };
  await ensureTopics(
    kafka,
    [
      { name: topics.enriched, partitions: Topics.transactionsEnriched.partitions },
      { name: topics.decisions, partitions: Topics.decisions.partitions },
      { name: topics.deadLetters, partitions: Topics.transactionsDlq.partitions },
    ],
    topicReplication(config),
  );

  const { thresholds } = artifacts.manifest;
  const task = new ScoringTask({
    model,
    rules: () => rules.current,
    thresholds: { review: thresholds.review.threshold, decline: thresholds.decline.threshold },
    decisionsTopic: topics.decisions,
    observer: observed.observer,
  });
  const stream = createScoringStream({
    kafka,
    task,
    topics,
    groupId: config.CONSUMER_GROUP,
    transactionalId: `${SERVICE}-${config.INSTANCE_ID}`,
    logger,
    maxBatchRecords: config.MAX_BATCH_RECORDS,
    commitIntervalMs: config.COMMIT_INTERVAL_MS,
    minFetchBytes: config.FETCH_MIN_BYTES,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    onBatch: observed.onBatch,
    onFatal: (error) => shutdown.fail('the stream stopped', error),
  });
  shutdown.onStop('stream (finish the batch in hand, leave the group)', () => stream.stop());
  await stream.start();

  const warmUp = new WarmUp({ logger, metrics });
  const app = buildApp({
    logger,
    metrics,
    version,
    warmUp,
    rules: () => rules.current,
    readiness: {
      kafka: () => describeCluster(kafka),
      stream: async () => {
        if (!stream.isRunning) throw new Error('the stream is not running');
      },
    },
    artifacts: () => ({
      model: model.version,
      featureSpec: model.featureSpecVersion,
      rules: rules.current.version,
    }),
  });
  warmUpScoring(warmUp, app, {
    model,
    rules: () => rules.current,
    thresholds: { review: thresholds.review.threshold, decline: thresholds.decline.threshold },
  });
  shutdown.onStop('http (stop accepting, finish in-flight requests)', () => app.close());
  await app.listen({ host: config.HOST, port: config.PORT });
  await warmUp.run();
  logger.info({ model: model.version, rules: rules.current.version }, 'scoring');
});
