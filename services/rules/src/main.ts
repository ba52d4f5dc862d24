// rules process entry: reads the environment, serves HTTP, shuts down on SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import { ConfigError, env, loadConfig } from '@mlsys/config';
import { shutdownInOrder } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { buildApp } from './app.js';
import { DEFAULT_POLICY } from './domain/policy.js';

const SERVICE = 'rules';
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const config = (() => {
  try {
    return loadConfig(
      SERVICE,
      {
        PORT: env.port({ description: 'HTTP port', default: 8084 }),
        HOST: env.string({ description: 'interface to listen on', default: '127.0.0.1' }),
        LOG_LEVEL: env.oneOf(['debug', 'info', 'warn', 'error'] as const, {
          description: 'log level',
          default: 'info',
        }),
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
        SHUTDOWN_DEADLINE_MS: env.int({
          description: 'longest a graceful shutdown may take',
          default: 10_000,
          min: 100,
        }),
      },
      process.env,
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
})();

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const app = buildApp({
  policy: {
    maxPerArtist: config.MAX_PER_ARTIST,
    maxGenreShare: config.MAX_GENRE_SHARE_PERCENT / 100,
    freshDays: config.FRESH_DAYS,
    maxFreshnessLift: config.FRESHNESS_MAX_LIFT,
  },
  logger,
  metrics: createMetrics(SERVICE),
  version,
});
await app.listen({ host: config.HOST, port: config.PORT });

const shutdown = async (signal: string) => {
  logger.info({ signal }, 'shutting down');
  const clean = await shutdownInOrder(
    [{ name: 'http (stop accepting, finish in-flight requests)', run: () => app.close() }],
    config.SHUTDOWN_DEADLINE_MS,
    logger,
  );
  if (clean) process.exitCode = 0;
  else process.exit(1);
};
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
