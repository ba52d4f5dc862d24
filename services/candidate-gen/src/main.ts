// candidate-gen process entry: reads the environment, loads the HNSW index
// (refusing to start when it is missing or of another version), serves HTTP,
// shuts down on SIGTERM/SIGINT.
import { env, loadConfigOrExit, serviceEnv } from '@mlsys/config';
import { loadRecsArtifacts, RecsArtifactError } from '@mlsys/recs-core/artifacts';
import { onTerminationSignal, packageVersion } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { HnswCandidateIndex } from './adapters/hnsw-index.js';
import { buildApp } from './app.js';

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

const { artifacts, index } = (() => {
  try {
    const artifacts = loadRecsArtifacts(config.ARTIFACTS_DIR);
    return { artifacts, index: HnswCandidateIndex.load(artifacts) };
  } catch (error) {
    if (!(error instanceof RecsArtifactError)) throw error;
    console.error(`${SERVICE} cannot start: ${error.message}`);
    process.exit(1);
  }
})();
const { hnsw, artifactVersion } = artifacts.manifest;
logger.info({ artifactVersion, songs: index.size, m: hnsw.m, efSearch: hnsw.efSearch }, 'index loaded');

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
  metrics: createMetrics(SERVICE),
  version,
});
await app.listen({ host: config.HOST, port: config.PORT });

const shutdown = onTerminationSignal(
  [{ name: 'http (stop accepting, finish in-flight requests)', run: () => app.close() }],
  config.SHUTDOWN_DEADLINE_MS,
  logger,
);
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
