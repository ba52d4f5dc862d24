// The fraud-sync bench's floor server as a process of its own (the bench spawns it like a
// service): reads the environment, connects the producer, serves HTTP, shuts down in order.
import { env, loadConfigOrExit, serviceEnv } from '@mlsys/config';
import { createKafka, describeCluster, JsonProducer } from '@mlsys/kafka';
import { onTerminationSignal, packageVersion } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { buildFloorApp } from './app.js';

const SERVICE = 'fraud-sync-floor';
// bench/package.json's version: packageVersion reads the package.json next to the `src/` it is given.
const version = packageVersion(new URL('../../', import.meta.url).href);

const config = loadConfigOrExit(
  SERVICE,
  {
    ...serviceEnv(8099),
    KAFKA_BROKERS: env.list({ description: 'Kafka bootstrap servers, e.g. 127.0.0.1:9092' }),
    TRANSACTIONS_TOPIC: env.string({ description: 'where accepted payments are produced (it must exist)' }),
  },
  process.env,
);

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const metrics = createMetrics(SERVICE);
const kafka = createKafka({ clientId: SERVICE, brokers: config.KAFKA_BROKERS, logger });
// The producer txn-api uses: idempotent, acks=all, keyed by card.
const producer = new JsonProducer(kafka);
await producer.connect();

const app = buildFloorApp({
  publish: (transaction) =>
    producer.send(config.TRANSACTIONS_TOPIC, [
      { key: transaction.cardId, value: transaction, timestamp: transaction.eventTime },
    ]),
  logger,
  metrics,
  version,
  readiness: { kafka: () => describeCluster(kafka) },
});
await app.listen({ host: config.HOST, port: config.PORT });

const shutdown = onTerminationSignal(
  [
    { name: 'http (stop accepting, finish in-flight requests)', run: () => app.close() },
    { name: 'kafka producer (flush)', run: () => producer.disconnect() },
  ],
  config.SHUTDOWN_DEADLINE_MS,
  logger,
);
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
