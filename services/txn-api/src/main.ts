// txn-api process entry: reads the environment, connects Kafka and Redis,
// serves HTTP, and shuts down in order on SIGTERM/SIGINT.
import { env, loadConfigOrExit, serviceEnv } from '@mlsys/config';
import { Topics } from '@mlsys/contracts';
import { createKafka, describeCluster, ensureTopics, JsonProducer } from '@mlsys/kafka';
import { closeRedis, connectRedis, createRedis, pingRedis } from '@mlsys/redis';
import { onTerminationSignal, packageVersion } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { createDecisionConsumer } from './adapters/decision-consumer.js';
import { KafkaTransactionPublisher } from './adapters/kafka-publisher.js';
import { RedisDecisionStore } from './adapters/redis-decision-store.js';
import { HttpRulesOnlyDecider } from './adapters/scorer-client.js';
import { buildApp } from './app.js';
import { SYNC_DECISION_DEFAULTS } from './domain/decision-budget.js';
import { DecisionWaiters } from './domain/decision-waiters.js';

const SERVICE = 'txn-api';
const version = packageVersion(import.meta.url);

const config = loadConfigOrExit(
  SERVICE,
  {
    ...serviceEnv(8090),
    REDIS_URL: env.url({
      description: 'Redis holding decisions, e.g. redis://127.0.0.1:6379',
      protocols: ['redis', 'rediss'],
    }),
    KAFKA_BROKERS: env.list({ description: 'Kafka bootstrap servers, e.g. 127.0.0.1:9092' }),
    DECISION_TTL_SECONDS: env.int({
      description: 'how long decisions stay readable',
      default: 7 * 24 * 3600,
      min: 60,
    }),
    SCORER_URL: env.url({
      description: 'fraud-scorer, asked for a rules-only decision when ?wait=true misses its deadline',
      protocols: ['http', 'https'],
    }),
    SYNC_DECISION_DEADLINE_MS: env.int({
      description: 'how long POST /v1/transactions?wait=true waits for the pipeline decision',
      default: SYNC_DECISION_DEFAULTS.deadlineMs,
      min: 1,
    }),
    SCORER_TIMEOUT_MS: env.int({
      description: 'how long the rules-only fallback may take',
      default: SYNC_DECISION_DEFAULTS.scorerTimeoutMs,
      min: 1,
    }),
  },
  process.env,
);

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const metrics = createMetrics(SERVICE);
const kafka = createKafka({ clientId: SERVICE, brokers: config.KAFKA_BROKERS, logger });
const redis = createRedis({
  url: config.REDIS_URL,
  onError: (err) => logger.warn({ err: err.message }, 'redis connection error'),
});

await connectRedis(redis, config.REDIS_URL);
await ensureTopics(kafka, [Topics.transactions, Topics.decisions, Topics.transactionsDlq]);
const producer = new JsonProducer(kafka);
await producer.connect();

const decisions = new RedisDecisionStore(redis, config.DECISION_TTL_SECONDS);
const waiters = new DecisionWaiters();
const consumer = createDecisionConsumer({
  kafka,
  producer,
  groupId: `${SERVICE}.decisions`,
  decisionsTopic: Topics.decisions.name,
  deadLetterTopic: Topics.transactionsDlq.name,
  store: decisions,
  waiters,
  logger,
});
await consumer.start();

const app = buildApp({
  publisher: new KafkaTransactionPublisher(producer, Topics.transactions.name),
  decisions,
  waiters,
  rulesOnly: new HttpRulesOnlyDecider(config.SCORER_URL, config.SCORER_TIMEOUT_MS),
  syncDeadlineMs: config.SYNC_DECISION_DEADLINE_MS,
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
await app.listen({ host: config.HOST, port: config.PORT });

const shutdown = onTerminationSignal(
  [
    { name: 'http (stop accepting, finish in-flight requests)', run: () => app.close() },
    { name: 'decision consumer (commit offsets, leave group)', run: () => consumer.stop() },
    { name: 'kafka producer (flush)', run: () => producer.disconnect() },
    { name: 'redis', run: () => closeRedis(redis) },
  ],
  config.SHUTDOWN_DEADLINE_MS,
  logger,
);
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
