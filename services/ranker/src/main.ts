// ranker process entry: reads the environment, loads the ONNX model and the
// song statistics it was trained with (refusing to start when they are
// missing or of another version), serves HTTP, shuts down on SIGTERM/SIGINT.
import { env, loadConfigOrExit, serviceEnv } from '@mlsys/config';
import { servingClockEnv, servingClockFromEnv } from '@mlsys/recs-core';
import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';
import { installShutdown, packageVersion, WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { loadRankerModel } from './adapters/onnx-model.js';
import { buildApp } from './app.js';
import { buildCatalog } from './domain/catalog.js';
import { warmUpRanking } from './warm-up.js';

const SERVICE = 'ranker';
const version = packageVersion(import.meta.url);

const config = loadConfigOrExit(
  SERVICE,
  {
    ...serviceEnv(8083),
    ARTIFACTS_DIR: env.string({
      description: 'recs artifact set holding ranker.onnx, e.g. .cache/artifacts/recs/default',
    }),
    ...servingClockEnv,
  },
  process.env,
);

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const shutdown = installShutdown({ service: SERVICE, logger, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
await shutdown.startUp(async () => {
  const artifacts = loadRecsArtifacts(config.ARTIFACTS_DIR);
  const model = await loadRankerModel(artifacts);
  shutdown.onStop('onnx session', () => model.close());
  const catalog = buildCatalog(
    artifacts.readSongs(),
    artifacts.readGenreHourLift(),
    artifacts.manifest.regions,
  );
  const { artifactVersion, ranker, exploration } = artifacts.manifest;
  logger.info(
    { artifactVersion, trees: ranker?.trees, songs: catalog.songs.length, exploration },
    'model loaded',
  );

  // The time of a request that does not say (rec-api always does): release age, hour of day, hours since the artist.
  const now = servingClockFromEnv(config, artifacts.manifest.dataWindow?.endMs, (fields, message) =>
    logger.info(fields, message),
  );

  const metrics = createMetrics(SERVICE);
  const warmUp = new WarmUp({ logger, metrics });
  const app = buildApp({
    model,
    catalog,
    modelVersion: artifactVersion,
    modelInfo: {
      trees: String(ranker?.trees ?? 0),
      features: String(ranker?.featureNames.length ?? 0),
      exploration: exploration
        ? `confidence ${exploration.confidence}, temperature ${exploration.temperature}`
        : 'none',
    },
    exploration,
    now,
    logger,
    metrics,
    version,
    warmUp,
  });
  // The design's candidate count (what rec-api sends) and a small batch: onnxruntime sizes its buffers per shape.
  warmUpRanking(warmUp, app, catalog, [artifacts.manifest.hnsw.candidates, 100], now());
  shutdown.onStop('http (stop accepting, finish in-flight requests)', () => app.close());
  await app.listen({ host: config.HOST, port: config.PORT });
  await warmUp.run();
});
