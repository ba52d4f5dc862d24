// candidate-gen process entry: reads the environment, loads the HNSW index
// (refusing to start when it is missing or of another version) or its shards,
// serves HTTP, shuts down on SIGTERM/SIGINT.
import { env, loadConfigOrExit, serviceEnv } from '@mlsys/config';
import { SHARD_HOSTINGS, shardSetDir } from '@mlsys/recs-core/ann';
import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';
import { installShutdown, packageVersion, WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { HnswCandidateIndex } from './adapters/hnsw-index.js';
import { ShardedCandidateIndex } from './adapters/sharded-hnsw-index.js';
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
    // 1 serves the offline index as built. Shards only pay at catalogue sizes one graph cannot hold
    // within the latency goal (docs/designs/recommendations.md, section 6); on one 2-core machine
    // they add a merge (in-process) or a message per shard and cores per query (worker threads).
    CANDIDATE_SHARDS: env.int({
      description: 'index shards: 1 = the offline index; S > 1 = ARTIFACTS_DIR/shards-S (see README)',
      default: 1,
      min: 1,
      max: 64,
    }),
    CANDIDATE_SHARD_HOSTING: env.oneOf(SHARD_HOSTINGS, {
      description:
        'where shards live when CANDIDATE_SHARDS > 1: searched one after another in this thread, or in parallel',
      default: 'in-process',
    }),
  },
  process.env,
);

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const shutdown = installShutdown({ service: SERVICE, logger, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
await shutdown.startUp(async () => {
  const artifacts = loadRecsArtifacts(config.ARTIFACTS_DIR);
  const { hnsw, artifactVersion } = artifacts.manifest;
  const indexParams: Record<string, string> = {
    m: String(hnsw.m),
    efConstruction: String(hnsw.efConstruction),
    efSearch: String(hnsw.efSearch),
    songs: String(artifacts.manifest.counts.songs),
  };
  let index: HnswCandidateIndex | ShardedCandidateIndex;
  if (config.CANDIDATE_SHARDS === 1) index = HnswCandidateIndex.load(artifacts);
  else {
    const sharded = await ShardedCandidateIndex.load(artifacts, {
      shards: config.CANDIDATE_SHARDS,
      dir: shardSetDir(artifacts.dir, config.CANDIDATE_SHARDS),
      hosting: config.CANDIDATE_SHARD_HOSTING,
      onLost: (why) => shutdown.fail(`an index shard is gone: ${why}`),
    });
    shutdown.onStop('index shards (stop their threads or processes)', () => sharded.close());
    Object.assign(indexParams, sharded.params(hnsw.candidates));
    index = sharded;
  }
  logger.info({ artifactVersion, songs: index.size, ...indexParams }, 'index loaded');

  const metrics = createMetrics(SERVICE);
  const warmUp = new WarmUp({ logger, metrics });
  const app = buildApp({
    index,
    indexVersion: artifactVersion,
    indexParams,
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
