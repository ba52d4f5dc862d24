// candidate-gen process entry: reads the environment, loads the HNSW index
// (refusing to start when it is missing or of another version), serves HTTP,
// shuts down on SIGTERM/SIGINT.
import { env, loadConfigOrExit, serviceEnv } from '@mlsys/config';
import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';
import { installShutdown, packageVersion, WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { HnswCandidateIndex } from './adapters/hnsw-index.js';
import { warmUpQueries } from './adapters/warm-up-queries.js';
import { buildApp, warmUpSearches } from './app.js';

const SERVICE = 'candidate-gen';
const version = packageVersion(import.meta.url);

const config = loadConfigOrExit(
  SERVICE,
  {
    ...serviceEnv(8082),
    ARTIFACTS_DIR: env.string({
      description: 'recs artifact set holding hnsw.bin, e.g. .cache/artifacts/recs/default',
    }),
  },
  process.env,
);

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const shutdown = installShutdown({ service: SERVICE, logger, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
await shutdown.startUp(async () => {
  const artifacts = loadRecsArtifacts(config.ARTIFACTS_DIR);
  const index = HnswCandidateIndex.load(artifacts);
  const { hnsw, artifactVersion } = artifacts.manifest;
  logger.info({ artifactVersion, songs: index.size, m: hnsw.m, efSearch: hnsw.efSearch }, 'index loaded');

  const metrics = createMetrics(SERVICE);
  const warmUp = new WarmUp({ logger, metrics });
  const app = buildApp({
    index,
    indexVersion: artifactVersion,
    indexParams: {
      m: String(hnsw.m),
      efConstruction: String(hnsw.efConstruction),
      efSearch: String(hnsw.efSearch),
      songs: String(index.size),
    },
    logger,
    metrics,
    version,
    warmUp,
  });
  // A few real users' queries: the first searches fault the index's pages in and compile the route.
  warmUpSearches(warmUp, app, warmUpQueries(artifacts, 8), hnsw.candidates);
  shutdown.onStop('http (stop accepting, finish in-flight requests)', () => app.close());
  await app.listen({ host: config.HOST, port: config.PORT });
  await warmUp.run();
});
