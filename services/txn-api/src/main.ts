// txn-api process entry: reads the environment, connects Kafka and Redis,
// serves HTTP, and shuts down in order on SIGTERM/SIGINT.
import { env, loadConfigOrExit, serviceEnv, topicReplication, topicReplicationEnv } from '@mlsys/config';
import { partitionOwnersKey, Topics } from '@mlsys/contracts';
import { DEFAULT_RULES_FILE, RulesFile } from '@mlsys/fraud-scorer/rules-only';
import { createKafka, describeCluster, ensureTopics, JsonProducer, partitionCount } from '@mlsys/kafka';
import { closeRedis, connectRedis, createRedis, pingRedis } from '@mlsys/redis';
import { installShutdown, packageVersion, WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { createDecisionConsumer } from './adapters/decision-consumer.js';
import { KafkaTransactionPublisher } from './adapters/kafka-publisher.js';
import { LocalRulesOnlyDecider } from './adapters/local-rules.js';
import { HttpOwnerDecider } from './adapters/owner-decider.js';
import { RedisOwnerDirectory } from './adapters/owner-directory.js';
import { RedisDecisionStore } from './adapters/redis-decision-store.js';
import { RedisTransactionLedger } from './adapters/redis-transaction-ledger.js';
import { buildApp } from './app.js';
import { DEFAULT_PUBLISH_TIMEOUT_MS } from './bounded-publisher.js';
import { SYNC_DECISION_DEFAULTS } from './domain/decision-budget.js';
import { DEFAULT_MAX_EVENT_TIME_SKEW_MS } from './domain/event-time-skew.js';
import { warmUpTxnApi } from './warm-up.js';

const SERVICE = 'txn-api';
const version = packageVersion(import.meta.url);

const config = loadConfigOrExit(
  SERVICE,
  {
    ...serviceEnv(8090),
    REDIS_URL: env.redisUrl({
      description:
        'Redis holding decisions, e.g. redis://127.0.0.1:6379 or redis-sentinel://127.0.0.1:6382,127.0.0.1:6383#mlsys',
    }),
    KAFKA_BROKERS: env.list({ description: 'Kafka bootstrap servers, e.g. 127.0.0.1:9092' }),
    ...topicReplicationEnv(),
    DECISION_TTL_SECONDS: env.int({
      description: 'how long decisions stay readable, and a transaction id stays taken by its body',
      default: 7 * 24 * 3600,
      min: 60,
    }),
    RULES_FILE: env.string({
      description:
        "the fraud rules file (JSON) whose payment-level rules decide when ?wait=true misses its deadline; the scorer's by default, reloaded when it changes",
      default: DEFAULT_RULES_FILE,
    }),
    SYNC_DECISION_DEADLINE_MS: env.int({
      description:
        "how long POST /v1/transactions?wait=true waits for the card partition owner's decision before the rules-only fallback",
      default: SYNC_DECISION_DEFAULTS.deadlineMs,
      min: 1,
    }),
    PUBLISH_TIMEOUT_MS: env.int({
      description:
        'longest wait for Kafka to take a payment (the 202, or ?wait=true past its deadline) before answering 503 with a retry',
      default: DEFAULT_PUBLISH_TIMEOUT_MS,
      min: 1,
    }),
    MAX_EVENT_TIME_SKEW_MS: env.int({
      description: "how far ahead of this server's clock a transaction's eventTime may be; beyond it, 400",
      default: DEFAULT_MAX_EVENT_TIME_SKEW_MS,
      min: 0,
    }),
    TRANSACTIONS_TOPIC: env.string({ description: 'payments out', default: Topics.transactions.name }),
    DECISIONS_TOPIC: env.string({
      description: 'decisions in (to the decision store)',
      default: Topics.decisions.name,
    }),
    DLQ_TOPIC: env.string({ description: 'malformed decisions', default: Topics.transactionsDlq.name }),
    FEATURE_ENGINE_GROUP: env.string({
      description: "the feature engine's consumer group, whose partition owners decide ?wait=true payments",
      default: 'feature-engine',
    }),
    DECISION_GROUP: env.string({
      description: 'consumer group copying decisions into the decision store',
      default: `${SERVICE}.decisions`,
    }),
  },
  process.env,
);

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const shutdown = installShutdown({ service: SERVICE, logger, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
await shutdown.startUp(async () => {
  const metrics = createMetrics(SERVICE);
  // Read before any connection: a bad rules file stops the start before anything is opened.
  const rules = new RulesFile(config.RULES_FILE, {
    reloaded: (book) => logger.info({ rulesVersion: book.version }, 'rules reloaded'),
    rejected: (error) => logger.error({ err: error.message }, 'rules file rejected; the previous rules stay'),
  });
  rules.watch();
  shutdown.onStop('rules file watcher', () => rules.close());
  logger.info({ rulesVersion: rules.current.version, file: config.RULES_FILE }, 'rules-only fallback loaded');

  const kafka = createKafka({ clientId: SERVICE, brokers: config.KAFKA_BROKERS, logger });
  const redis = createRedis({
    url: config.REDIS_URL,
    autoPipelining: true,
    onError: (err) => logger.warn({ err: err.message }, 'redis connection error'),
  });
  shutdown.onStop('redis', () => closeRedis(redis));
  await connectRedis(redis, config.REDIS_URL);
  const topics = {
    transactions: config.TRANSACTIONS_TOPIC,
    decisions: config.DECISIONS_TOPIC,
    deadLetters: config.DLQ_TOPIC,
  };
  await ensureTopics(
    kafka,
    [
      { name: topics.transactions, partitions: Topics.transactions.partitions },
      { name: topics.decisions, partitions: Topics.decisions.partitions },
      { name: topics.deadLetters, partitions: Topics.transactionsDlq.partitions },
    ],
    topicReplication(config),
  );
  const producer = new JsonProducer(kafka);
  shutdown.onStop('kafka producer (flush)', () => producer.disconnect());
  await producer.connect();

  const decisions = new RedisDecisionStore(redis, config.DECISION_TTL_SECONDS);
  const consumer = createDecisionConsumer({
    kafka,
    producer,
    groupId: config.DECISION_GROUP,
    decisionsTopic: topics.decisions,
    deadLetterTopic: topics.deadLetters,
    store: decisions,
    logger,
  });
  shutdown.onStop('decision consumer (commit offsets, leave group)', () => consumer.stop());
  await consumer.start();
  const decider = new HttpOwnerDecider();
  const paymentPartitions = await partitionCount(kafka, topics.transactions);
  const owners = new RedisOwnerDirectory(
    redis,
    partitionOwnersKey(config.FEATURE_ENGINE_GROUP),
    topics.transactions,
    paymentPartitions,
    (error) => logger.warn({ err: error.message }, 'could not read the partition owners'),
  );
  shutdown.onStop('partition owners (stop reading, close their connections)', async () => {
    owners.close();
    await decider.close();
  });
  await owners.refresh();

  const warmUp = new WarmUp({ logger, metrics });
  const ledger = new RedisTransactionLedger(redis, config.DECISION_TTL_SECONDS);
  const rulesOnly = new LocalRulesOnlyDecider(rules);
  const app = buildApp({
    warmUp,
    publisher: new KafkaTransactionPublisher(producer, topics.transactions, (cardId) =>
      owners.partitionOf(cardId),
    ),
    decisions,
    owners,
    decider,
    rulesOnly,
    syncDeadlineMs: config.SYNC_DECISION_DEADLINE_MS,
    publishTimeoutMs: config.PUBLISH_TIMEOUT_MS,
    ledger,
    maxEventTimeSkewMs: config.MAX_EVENT_TIME_SKEW_MS,
    logger,
    metrics,
    version,
    readiness: {
      redis: () => pingRedis(redis),
      kafka: () => describeCluster(kafka),
      'decision-consumer': async () => {
        if (!consumer.isRunning) throw new Error('not consuming decisions');
      },
    },
  });
  warmUpTxnApi(warmUp, app, {
    loadLedgerScripts: () => ledger.loadScripts(),
    owners,
    partitions: paymentPartitions,
    connectOwner: (url) => decider.connect(url, 1000),
    rulesOnly,
    logger,
  });
  shutdown.onStop('http (stop accepting, finish in-flight requests)', () => app.close());
  await app.listen({ host: config.HOST, port: config.PORT });
  await warmUp.run();
});
