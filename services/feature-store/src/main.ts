// feature-store process entry: reads the environment, connects Redis, serves
// HTTP at once (not ready until a version is live), materialises the artifact
// set into a new version when it differs from the live one, and shuts down in
// order on SIGTERM/SIGINT.
import { env, loadConfigOrExit, serviceEnv } from '@mlsys/config';
import { servingClockEnv, servingClockFromEnv } from '@mlsys/recs-core';
import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';
import { closeRedis, connectRedis, createRedis, pingRedis, type Redis } from '@mlsys/redis';
import { installShutdown, packageVersion, WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { artifactFeatureSource } from './adapters/artifact-source.js';
import { RedisFeatureStore } from './adapters/redis-feature-store.js';
import { buildApp, warmUpReadPath } from './app.js';
import { materialize } from './domain/materialize.js';
import { MaterializationProgress } from './domain/progress.js';

const SERVICE = 'feature-store';
const version = packageVersion(import.meta.url);

const config = loadConfigOrExit(
  SERVICE,
  {
    ...serviceEnv(8081),
    REDIS_URL: env.redisUrl({
      description:
        'Redis holding the features, e.g. redis://127.0.0.1:6379 or redis-sentinel://127.0.0.1:6382,127.0.0.1:6383#mlsys',
    }),
    REDIS_KEY_PREFIX: env.string({
      description: 'prefix of every key, so several stacks or tests can share one Redis',
      default: '',
    }),
    ARTIFACTS_DIR: env.string({
      description: 'recs artifact set to materialise, e.g. .cache/artifacts/recs/default',
    }),
    MATERIALIZE_BATCH: env.int({
      description: 'records per Redis pipeline while materialising',
      default: 500,
      min: 1,
    }),
    FORCE_MATERIALIZE: env.bool({
      description: 'rebuild even when the live version came from the same artifact set',
      default: false,
    }),
    ...servingClockEnv,
  },
  process.env,
);

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const shutdown = installShutdown({ service: SERVICE, logger, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
await shutdown.startUp(async () => {
  const artifacts = loadRecsArtifacts(config.ARTIFACTS_DIR);

  // Stamps a listen posted without a time, so it sits on the same clock as the materialised listens.
  const now = servingClockFromEnv(config, artifacts.manifest.dataWindow?.endMs, (fields, message) =>
    logger.info(fields, message),
  );

  // createRedis without `cluster` gives a single-node client; the key space assumes one node (see redis-schema.ts).
  const redis = createRedis({
    url: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    onError: (err) => logger.warn({ err: err.message }, 'redis connection error'),
  }) as Redis;
  shutdown.onStop('redis', () => closeRedis(redis));
  await connectRedis(redis, config.REDIS_URL);

  const metrics = createMetrics(SERVICE);
  const store = new RedisFeatureStore(redis);
  const progress = new MaterializationProgress();
  const warmUp = new WarmUp({ logger, metrics });
  const app = buildApp({
    store,
    progress,
    now,
    logger,
    metrics,
    version,
    readiness: { redis: () => pingRedis(redis) },
    warmUp,
  });
  warmUpReadPath(warmUp, app);
  shutdown.onStop('http (stop accepting, finish in-flight requests)', () => app.close());
  await app.listen({ host: config.HOST, port: config.PORT });

  // Not awaited: the service answers (not ready) while the first materialisation runs.
  const progressGauge = metrics.gauge(
    'feature_store_materialize_progress',
    'share of the running materialisation written (0..1)',
  );
  const started = Date.now();
  let lastLogged = '';
  const materialising = materialize(artifactFeatureSource(artifacts), store, {
    nowMs: started,
    batchSize: config.MATERIALIZE_BATCH,
    force: config.FORCE_MATERIALIZE,
    onProgress: ({ phase, done, total }) => {
      progress.running(phase, done, total);
      progressGauge.set(total === 0 ? 1 : done / total);
      // One log line per tenth of each phase.
      const step = `${phase}:${Math.floor((10 * done) / Math.max(1, total))}`;
      if (step !== lastLogged) {
        lastLogged = step;
        logger.info({ phase, done, total }, 'materialising');
      }
    },
  })
    .then((outcome) => {
      const detail = outcome.skipped
        ? `version ${outcome.version.id} already holds artifacts ${outcome.version.artifactVersion}`
        : `version ${outcome.version.id} is live (${outcome.version.users} users, ${outcome.version.songs} songs in ${Date.now() - started} ms)`;
      progress.finished(detail);
      logger.info(
        { version: outcome.version.id, skipped: outcome.skipped, collected: outcome.collected },
        detail,
      );
    })
    .catch((error: Error) => {
      progress.failed(error);
      logger.error({ err: error.message }, 'materialisation failed; serving the previous version if any');
    });

  // The read path can only be warmed once a version is live: at once after a restart (the live
  // version serves while a new one is built), after the first materialisation otherwise.
  if (await store.current().catch(() => undefined)) await warmUp.run();
  else void materialising.then(() => warmUp.run());
});
