// rules process entry: reads the environment, serves HTTP, shuts down on SIGTERM/SIGINT.
import { env, loadConfigOrExit, serviceEnv } from '@mlsys/config';
import { installShutdown, packageVersion, WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { buildApp } from './app.js';
import { DEFAULT_POLICY } from './domain/policy.js';

const SERVICE = 'rules';
const version = packageVersion(import.meta.url);

const config = loadConfigOrExit(
  SERVICE,
  {
    ...serviceEnv(8084),
    MAX_PER_ARTIST: env.int({
      description: 'songs of one artist allowed in a list',
      default: DEFAULT_POLICY.maxPerArtist,
      min: 1,
    }),
    MAX_GENRE_SHARE_PERCENT: env.int({
      description: 'share of a list one genre may fill, in percent',
      default: Math.round(DEFAULT_POLICY.maxGenreShare * 100),
      min: 1,
      max: 100,
    }),
    FRESH_DAYS: env.int({
      description: 'a song released within this many days is fresh',
      default: DEFAULT_POLICY.freshDays,
      min: 1,
    }),
    FRESHNESS_MAX_LIFT: env.int({
      description: 'places a song released today moves up',
      default: DEFAULT_POLICY.maxFreshnessLift,
      min: 0,
    }),
  },
  process.env,
);

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const shutdown = installShutdown({ service: SERVICE, logger, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
await shutdown.startUp(async () => {
  const metrics = createMetrics(SERVICE);
  const warmUp = new WarmUp({ logger, metrics });
  const app = buildApp({
    policy: {
      maxPerArtist: config.MAX_PER_ARTIST,
      maxGenreShare: config.MAX_GENRE_SHARE_PERCENT / 100,
      freshDays: config.FRESH_DAYS,
      maxFreshnessLift: config.FRESHNESS_MAX_LIFT,
    },
    logger,
    metrics,
    version,
    warmUp,
  });
  shutdown.onStop('http (stop accepting, finish in-flight requests)', () => app.close());
  await app.listen({ host: config.HOST, port: config.PORT });
  await warmUp.run();
});
