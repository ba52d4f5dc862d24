// feature-engine process entry: reads the environment, restores the feature
// state, runs the exactly-once stream, serves HTTP, and shuts down in order.
import {
  env,
  loadConfigOrExit,
  serviceEnv,
  streamEnv,
  topicReplication,
  topicReplicationEnv,
} from '@mlsys/config';
import { partitionOwnersKey, Topics } from '@mlsys/contracts';
import { FEATURE_SPEC_VERSION, FraudFeatureEngine, loadFraudArtifacts } from '@mlsys/fraud-core';
import { DEFAULT_RULES_FILE, OnnxFraudModel, RulesFile } from '@mlsys/fraud-scorer/decider';
import {
  createKafka,
  describeCluster,
  ensureTopics,
  JsonProducer,
  partitionCount,
  partitionOfKey,
} from '@mlsys/kafka';
import { closeRedis, connectRedis, createRedis, pingRedis } from '@mlsys/redis';
import { installShutdown, packageVersion, WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { RedisDecisionJournal } from './adapters/decision-journal.js';
import { featureMetrics } from './adapters/feature-metrics.js';
import { createFeatureStream } from './adapters/feature-stream.js';
import { ModelScorer } from './adapters/model-scorer.js';
import { OwnerRegistry } from './adapters/owner-registry.js';
import { KafkaPaymentLog } from './adapters/payment-log.js';
import { RedisFeatureStateStore } from './adapters/redis-state-store.js';
import { WorkerCheckpointer } from './adapters/worker-checkpointer.js';
import { buildApp } from './app.js';
import { FeatureTask } from './domain/feature-task.js';
import { PartitionProgress } from './domain/partition-progress.js';
import { RequestPath } from './domain/request-path.js';
import { warmUpRequestPath } from './warm-up.js';

const SERVICE = 'feature-engine';
const version = packageVersion(import.meta.url);

const config = loadConfigOrExit(
  SERVICE,
  {
    ...serviceEnv(8091),
    REDIS_URL: env.redisUrl({
      description:
        'Redis holding the feature state checkpoints, e.g. redis://127.0.0.1:6379 or redis-sentinel://127.0.0.1:6382,127.0.0.1:6383#mlsys',
    }),
    KAFKA_BROKERS: env.list({ description: 'Kafka bootstrap servers, e.g. 127.0.0.1:9092' }),
    ...topicReplicationEnv(),
    ARTIFACTS_DIR: env.string({
      description:
        'fraud artifact folder (terminal directory, feature spec), e.g. .cache/artifacts/fraud/default',
    }),
    STATE_NAMESPACE: env.string({
      description: 'prefix of the Redis keys holding the state',
      default: 'fe',
    }),
    CHECKPOINT_INTERVAL_MS: env.int({
      description:
        'how often the replica checkpoints the state to Redis (0: after every batch); a restart replays at most this much input',
      default: 30_000,
      min: 0,
    }),
    MAX_ALIGN_WAIT_MS: env.int({
      description: 'longest a silent partition may hold back the event-time merge',
      default: 200,
      min: 0,
    }),
    ...streamEnv(SERVICE),
    TRANSACTIONS_TOPIC: env.string({ description: 'payments in', default: Topics.transactions.name }),
    CHARGEBACKS_TOPIC: env.string({ description: 'labels in', default: Topics.chargebacks.name }),
    ENRICHED_TOPIC: env.string({
      description: 'features out',
      default: Topics.transactionsEnriched.name,
    }),
    DLQ_TOPIC: env.string({ description: 'malformed messages', default: Topics.transactionsDlq.name }),
    DECISIONS_TOPIC: env.string({
      description: 'where the decisions answered on the request path are logged',
      default: Topics.decisions.name,
    }),
    ADVERTISED_URL: env.string({
      description:
        "where txn-api reaches this instance for request-path decisions; 'auto': http://127.0.0.1:<PORT> (or HOST when it is a specific address)",
      default: 'auto',
    }),
    RULES_FILE: env.string({
      description:
        "the fraud rules file (JSON) of request-path decisions; the scorer's by default, reloaded on change",
      default: DEFAULT_RULES_FILE,
    }),
    ONNX_THREADS: env.int({ description: 'onnxruntime intra-op threads', default: 1, min: 1, max: 64 }),
    SYNC_BATCH_WINDOW_MS: env.int({
      description:
        'longest a request-path payment waits for the ONNX call in flight; those waiting share the next call (an idle model runs one at once; 0: one call each)',
      default: 1,
      min: 0,
      max: 50,
    }),
    REQUEST_WAIT_MS: env.int({
      description:
        "longest a request-path payment waits for its partition's earlier payments before the stream decides it instead",
      default: 30,
      min: 1,
    }),
  },
  process.env,
);

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const shutdown = installShutdown({ service: SERVICE, logger, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
await shutdown.startUp(async () => {
  const metrics = createMetrics(SERVICE);
  const artifacts = loadFraudArtifacts(config.ARTIFACTS_DIR);
  const kafka = createKafka({ clientId: SERVICE, brokers: config.KAFKA_BROKERS, logger });
  const redis = createRedis({
    url: config.REDIS_URL,
    autoPipelining: true,
    onError: (err) => logger.warn({ err: err.message }, 'redis connection error'),
  });
  shutdown.onStop('redis', () => closeRedis(redis));
  const topics = {
    transactions: config.TRANSACTIONS_TOPIC,
    chargebacks: config.CHARGEBACKS_TOPIC,
    enriched: config.ENRICHED_TOPIC,
    deadLetters: config.DLQ_TOPIC,
    decisions: config.DECISIONS_TOPIC,
  };

  await connectRedis(redis, config.REDIS_URL);
  await ensureTopics(
    kafka,
    [
      { name: topics.transactions, partitions: Topics.transactions.partitions },
      { name: topics.chargebacks, partitions: Topics.chargebacks.partitions },
      { name: topics.enriched, partitions: Topics.transactionsEnriched.partitions },
      { name: topics.deadLetters, partitions: Topics.transactionsDlq.partitions },
      { name: topics.decisions, partitions: Topics.decisions.partitions },
    ],
    topicReplication(config),
  );

  const store = new RedisFeatureStateStore(redis, config.STATE_NAMESPACE);
  const observed = featureMetrics(metrics, (message, fields) => logger.info(fields, message));
  const checkpointer = new WorkerCheckpointer({
    redisUrl: config.REDIS_URL,
    namespace: config.STATE_NAMESPACE,
    intervalMs: config.CHECKPOINT_INTERVAL_MS,
    terminals: artifacts.terminals,
    events: observed.checkpoints,
    onExit: (error) => shutdown.fail('checkpoints stopped', error),
  });
  // The request path: payments of the owned partitions decided at once, with the scorer's model and rules in-process.
  const model = await OnnxFraudModel.load(artifacts, config.ONNX_THREADS);
  shutdown.onStop('model', () => model.close());
  const rules = new RulesFile(config.RULES_FILE, {
    reloaded: (book) => logger.info({ rulesVersion: book.version }, 'rules reloaded'),
    rejected: (error) => logger.error({ err: error.message }, 'rules file rejected; the previous rules stay'),
  });
  rules.watch();
  shutdown.onStop('rules watcher', () => rules.close());
  const paymentsProducer = new JsonProducer(kafka);
  shutdown.onStop('payments producer (flush)', () => paymentsProducer.disconnect());
  await paymentsProducer.connect();
  const thresholds = {
    review: artifacts.manifest.thresholds.review.threshold,
    decline: artifacts.manifest.thresholds.decline.threshold,
  };
  const scorer = new ModelScorer({
    model,
    rules: () => rules.current,
    thresholds,
    batchWindowMs: config.SYNC_BATCH_WINDOW_MS,
    onCall: observed.modelCall,
  });
  const progress = new PartitionProgress();
  const paymentPartitions = await partitionCount(kafka, topics.transactions);
  const partitionOf = (cardId: string) => partitionOfKey(topics.transactions, cardId, paymentPartitions);
  const requestPath = new RequestPath({
    progress,
    engine: () => task.engine,
    log: new KafkaPaymentLog(paymentsProducer, topics.transactions, partitionOf),
    scorer,
    journal: new RedisDecisionJournal(redis, config.STATE_NAMESPACE),
    partitionOf,
    waitMs: config.REQUEST_WAIT_MS,
    onForgetFailed: (error) =>
      logger.warn(
        { err: error.message },
        'could not delete logged answers from the journal (dropped at the next restore)',
      ),
  });
  const advertisedUrl =
    config.ADVERTISED_URL === 'auto'
      ? `http://${config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST}:${config.PORT}`
      : config.ADVERTISED_URL;
  const owners = new OwnerRegistry(
    redis,
    partitionOwnersKey(config.CONSUMER_GROUP),
    { url: advertisedUrl, instance: `${SERVICE}-${config.INSTANCE_ID}` },
    (error) => logger.warn({ err: error.message }, 'could not announce the owned partitions'),
  );
  const task: FeatureTask = new FeatureTask({
    store,
    checkpointer,
    newEngine: () => new FraudFeatureEngine({ terminals: artifacts.terminals }),
    enrichedTopic: topics.enriched,
    observer: observed.observer,
    requests: {
      paymentsTopic: topics.transactions,
      decisionsTopic: topics.decisions,
      path: requestPath,
      progress,
      scorer,
      onAssigned: (partitions) => {
        logger.info({ partitions }, 'deciding these partitions on the request path');
        owners.announce(partitions);
      },
    },
  });
  const stream = createFeatureStream({
    kafka,
    task,
    topics,
    groupId: config.CONSUMER_GROUP,
    transactionalId: `${SERVICE}-${config.INSTANCE_ID}`,
    logger,
    maxAlignWaitMs: config.MAX_ALIGN_WAIT_MS,
    maxBatchRecords: config.MAX_BATCH_RECORDS,
    commitIntervalMs: config.COMMIT_INTERVAL_MS,
    minFetchBytes: config.FETCH_MIN_BYTES,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    onBatch: (stats) => observed.onBatch(stats, task.size()),
    onFatal: (error) => shutdown.fail('the stream stopped', error),
  });
  shutdown.onStop('stream (finish the batch in hand, checkpoint, leave the group)', () => stream.stop());
  // Added after the stream, so it runs before it: the partitions are withdrawn before they are handed back.
  shutdown.onStop('partition announcements (withdraw)', () => owners.close());

  const warmUp = new WarmUp({ logger, metrics });
  const app = buildApp({
    logger,
    metrics,
    version,
    warmUp,
    store,
    readiness: {
      redis: () => pingRedis(redis),
      kafka: () => describeCluster(kafka),
      stream: async () => {
        if (!stream.isRunning) throw new Error('the stream is not running');
      },
    },
    artifacts: () => ({
      featureSpec: FEATURE_SPEC_VERSION,
      artifacts: artifacts.manifest.artifactVersion,
      model: model.version,
      rules: rules.current.version,
    }),
    status: () => ({
      featureSpecVersion: FEATURE_SPEC_VERSION,
      entities: task.size(),
      batches: stream.batches,
      bufferedRecords: stream.buffered,
      lastCheckpointAt: observed.lastCheckpointAt(),
      ownedPartitions: progress.owned,
      unloggedDecisions: requestPath.unlogged,
    }),
    decide: (transaction, lap, budgetMs) => requestPath.decide(transaction, lap, budgetMs),
  });
  warmUpRequestPath(warmUp, app, {
    scratchEngine: () => new FraudFeatureEngine({ terminals: artifacts.terminals }),
    // A scorer of its own (no metrics) over the same model and rules; a window of at least 1 ms,
    // so that the batch of 8 is one ONNX call even when the served one scores payments one by one.
    scorer: new ModelScorer({
      model,
      rules: () => rules.current,
      thresholds,
      batchWindowMs: Math.max(1, config.SYNC_BATCH_WINDOW_MS),
    }),
    terminalId: artifacts.terminals.keys().next().value ?? 'warm-up-terminal',
  });
  // Warmed before the stream starts: txn-api finds an owner by the partitions it announces on
  // assignment, not by its readiness, so the first payments it sends must find the path warm.
  await warmUp.run();
  await stream.start();

  shutdown.onStop('http (stop accepting, finish in-flight requests)', () => app.close());
  await app.listen({ host: config.HOST, port: config.PORT });
});
