// ranker process entry: reads the environment, loads the ONNX model and the
// song statistics it was trained with (refusing to start when they are
// missing or of another version), serves HTTP, shuts down on SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import { ConfigError, env, loadConfig } from '@mlsys/config';
import { loadRecsArtifacts, RecsArtifactError } from '@mlsys/recs-core/artifacts';
import { shutdownInOrder } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { loadRankerModel } from './adapters/onnx-model.js';
import { buildApp } from './app.js';
import { buildCatalog } from './domain/catalog.js';

const SERVICE = 'ranker';
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const config = (() => {
  try {
    return loadConfig(
      SERVICE,
      {
        PORT: env.port({ description: 'HTTP port', default: 8083 }),
        HOST: env.string({ description: 'interface to listen on', default: '127.0.0.1' }),
        LOG_LEVEL: env.oneOf(['debug', 'info', 'warn', 'error'] as const, {
          description: 'log level',
          default: 'info',
        }),
        ARTIFACTS_DIR: env.string({
          description: 'recs artifact set holding ranker.onnx, e.g. .cache/artifacts/recs/default',
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

const { artifacts, model, catalog } = await (async () => {
  try {
    const artifacts = loadRecsArtifacts(config.ARTIFACTS_DIR);
    const model = await loadRankerModel(artifacts);
    const catalog = buildCatalog(
      artifacts.readSongs(),
      artifacts.readGenreHourLift(),
      artifacts.manifest.regions,
    );
    return { artifacts, model, catalog };
  } catch (error) {
    if (!(error instanceof RecsArtifactError)) throw error;
    console.error(`${SERVICE} cannot start: ${error.message}`);
    process.exit(1);
  }
})();
const { artifactVersion, ranker } = artifacts.manifest;
logger.info({ artifactVersion, trees: ranker?.trees, songs: catalog.songs.length }, 'model loaded');

const app = buildApp({
  model,
  catalog,
  modelVersion: artifactVersion,
  modelInfo: { trees: String(ranker?.trees ?? 0), features: String(ranker?.featureNames.length ?? 0) },
  logger,
  metrics: createMetrics(SERVICE),
  version,
});
await app.listen({ host: config.HOST, port: config.PORT });

const shutdown = async (signal: string) => {
  logger.info({ signal }, 'shutting down');
  const clean = await shutdownInOrder(
    [
      { name: 'http (stop accepting, finish in-flight requests)', run: () => app.close() },
      { name: 'onnx session', run: () => model.close() },
    ],
    config.SHUTDOWN_DEADLINE_MS,
    logger,
  );
  if (clean) process.exitCode = 0;
  else process.exit(1);
};
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
