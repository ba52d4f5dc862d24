// rec-api process entry: reads the environment, loads the serving catalog
// from the artifact set, serves HTTP, shuts down in order on SIGTERM/SIGINT.
import { env, loadConfigOrExit, serviceEnv } from '@mlsys/config';
import { loadRecsArtifacts, RecsArtifactError } from '@mlsys/recs-core/artifacts';
import { onTerminationSignal, packageVersion } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { loadServingCatalog } from './adapters/artifact-catalog.js';
import { HttpRecommendationStages } from './adapters/http-stages.js';
import { buildApp } from './app.js';

const SERVICE = 'rec-api';
const version = packageVersion(import.meta.url);
const serviceUrl = (description: string) => env.url({ description, protocols: ['http', 'https'] });

const config = loadConfigOrExit(
  SERVICE,
  {
    ...serviceEnv(8080),
    ARTIFACTS_DIR: env.string({
      description:
        'recs artifact set (catalog, regional popularity, user tower), e.g. .cache/artifacts/recs/default',
    }),
    FEATURE_STORE_URL: serviceUrl('feature-store base URL, e.g. http://127.0.0.1:8081'),
    CANDIDATE_GEN_URL: serviceUrl('candidate-gen base URL, e.g. http://127.0.0.1:8082'),
    RANKER_URL: serviceUrl('ranker base URL, e.g. http://127.0.0.1:8083'),
    RULES_URL: serviceUrl('rules base URL, e.g. http://127.0.0.1:8084'),
    FEATURES_DEADLINE_MS: env.int({
      description: 'budget of the feature-store call',
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
    POOL_CONNECTIONS: env.int({
      description: 'keep-alive connections per downstream service',
      default: 32,
      min: 1,
    }),
  },
  process.env,
);

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const catalog = (() => {
  try {
    return loadServingCatalog(loadRecsArtifacts(config.ARTIFACTS_DIR), config.CANDIDATES_K || undefined);
  } catch (error) {
    if (!(error instanceof RecsArtifactError)) throw error;
    console.error(`${SERVICE} cannot start: ${error.message}`);
    process.exit(1);
  }
})();
logger.info(
  { artifactVersion: catalog.artifactVersion, songs: catalog.songs.length, candidatesK: catalog.candidatesK },
  'catalog loaded',
);

const stages = new HttpRecommendationStages(
  {
    featureStore: config.FEATURE_STORE_URL,
    candidateGen: config.CANDIDATE_GEN_URL,
    ranker: config.RANKER_URL,
    rules: config.RULES_URL,
  },
  config.POOL_CONNECTIONS,
);
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
  logger,
  metrics: createMetrics(SERVICE),
  version,
});
await app.listen({ host: config.HOST, port: config.PORT });

const shutdown = onTerminationSignal(
  [
    { name: 'http (stop accepting, finish in-flight requests)', run: () => app.close() },
    { name: 'downstream connection pools', run: () => stages.close() },
  ],
  config.SHUTDOWN_DEADLINE_MS,
  logger,
);
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
