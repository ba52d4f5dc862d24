// rec-api process entry: reads the environment, loads the serving catalog
// from the artifact set, opens the feature store's Redis for reading, serves
// HTTP, shuts down in order on SIGTERM/SIGINT.
import { env, loadConfigOrExit, serviceEnv } from '@mlsys/config';
import { onlineFeatureReader } from '@mlsys/feature-store/online';
import { servingClockEnv, servingClockFromEnv } from '@mlsys/recs-core';
import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';
import { closeRedis, connectRedis, createRedis, type Redis } from '@mlsys/redis';
import { installShutdown, packageVersion, WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { loadServingCatalog } from './adapters/artifact-catalog.js';
import { HttpRecommendationStages } from './adapters/http-stages.js';
import { RedisUserFeatures } from './adapters/online-features.js';
import { buildApp } from './app.js';
import { warmUpRecommendations } from './warm-up.js';

const SERVICE = 'rec-api';
const version = packageVersion(import.meta.url);
/**
 * A stage's base URL, or every instance's separated by commas (the `ha` profile): the stage's
 * client spreads calls over the instances that are up (@mlsys/http-client).
 */
const serviceUrl = (description: string) => {
  const one = env.url({ description, protocols: ['http', 'https'] });
  return {
    ...one,
    parse: (raw: string) =>
      raw
        .split(',')
        .map((url) => one.parse(url.trim()))
        .join(','),
  };
};

const config = loadConfigOrExit(
  SERVICE,
  {
    ...serviceEnv(8080),
    ARTIFACTS_DIR: env.string({
      description:
        'recs artifact set (catalog, regional popularity, user tower), e.g. .cache/artifacts/recs/default',
    }),
    REDIS_URL: env.redisUrl({
      description:
        "the feature store's Redis, read directly (the feature-store service writes it), e.g. redis://127.0.0.1:6379 or redis-sentinel://127.0.0.1:6382,127.0.0.1:6383#mlsys",
    }),
    REDIS_KEY_PREFIX: env.string({
      description: "the feature store's REDIS_KEY_PREFIX",
      default: '',
    }),
    CANDIDATE_GEN_URL: serviceUrl('candidate-gen base URL(s), e.g. http://127.0.0.1:8082'),
    RANKER_URL: serviceUrl('ranker base URL(s), e.g. http://127.0.0.1:8083'),
    RULES_URL: serviceUrl('rules base URL(s), e.g. http://127.0.0.1:8084'),
    FEATURES_DEADLINE_MS: env.int({
      description: "budget of the features read (the feature store's Redis)",
      default: 15,
      min: 1,
    }),
    CANDIDATES_DEADLINE_MS: env.int({
      description: 'budget of the candidate-gen call',
      default: 25,
      min: 1,
    }),
    RANKER_DEADLINE_MS: env.int({ description: 'budget of the ranker call', default: 30, min: 1 }),
    RULES_DEADLINE_MS: env.int({ description: 'budget of the rules call', default: 15, min: 1 }),
    CANDIDATES_K: env.int({
      description:
        'candidates asked of the index (default: the artifact manifest, 1000 for the default profile)',
      default: 0,
      min: 0,
      max: 2000,
    }),
    RULES_OVERFETCH: env.int({
      description: 'ranked songs sent to the rules per song asked for',
      default: 5,
      min: 1,
      max: 20,
    }),
    ...servingClockEnv,
    POOL_CONNECTIONS: env.int({
      description: 'keep-alive connections per downstream service',
      default: 32,
      min: 1,
    }),
  },
  process.env,
);

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const shutdown = installShutdown({ service: SERVICE, logger, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
await shutdown.startUp(async () => {
  const artifacts = loadRecsArtifacts(config.ARTIFACTS_DIR);
  const catalog = loadServingCatalog(artifacts, config.CANDIDATES_K || undefined);
  logger.info(
    {
      artifactVersion: catalog.artifactVersion,
      songs: catalog.songs.length,
      candidatesK: catalog.candidatesK,
    },
    'catalog loaded',
  );

  // The request time sent to the ranker and the rules: the data's time by default (see recs-core clock.ts).
  const now = servingClockFromEnv(config, artifacts.manifest.dataWindow?.endMs, (fields, message) =>
    logger.info(fields, message),
  );

  // No offline queue: while Redis is away, reads fail at once and requests fall back to a cold
  // start; the client reconnects on its own (see @mlsys/redis), so a Redis down at start is no error.
  const redis = createRedis({
    url: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    commandTimeoutMs: 1000,
    onError: (err) => logger.warn({ err: err.message }, 'redis connection error'),
  }) as Redis;
  shutdown.onStop('redis', () => closeRedis(redis));
  try {
    await connectRedis(redis, config.REDIS_URL);
  } catch (error) {
    logger.warn(
      { err: (error as Error).message },
      'Redis unreachable at start: cold starts until it answers',
    );
  }
  const stages = new HttpRecommendationStages(
    new RedisUserFeatures(onlineFeatureReader(redis)),
    {
      candidateGen: config.CANDIDATE_GEN_URL,
      ranker: config.RANKER_URL,
      rules: config.RULES_URL,
    },
    config.POOL_CONNECTIONS,
  );
  shutdown.onStop('downstream connection pools', () => stages.close());
  const metrics = createMetrics(SERVICE);
  const warmUp = new WarmUp({ logger, metrics });
  const app = buildApp({
    stages,
    catalog,
    deadlines: {
      features: config.FEATURES_DEADLINE_MS,
      candidates: config.CANDIDATES_DEADLINE_MS,
      ranker: config.RANKER_DEADLINE_MS,
      rules: config.RULES_DEADLINE_MS,
    },
    rulesOverfetch: config.RULES_OVERFETCH,
    now,
    logger,
    metrics,
    version,
    warmUp,
  });
  // Users 0-3 are in every materialised set; four at once open four connections to each stage.
  warmUpRecommendations(warmUp, app, logger, {
    users: ['0', '1', '2', '3'],
    region: [...catalog.regions.keys()][0]!,
    rounds: 3,
  });
  shutdown.onStop('http (stop accepting, finish in-flight requests)', () => app.close());
  await app.listen({ host: config.HOST, port: config.PORT });
  await warmUp.run();
});
