import { CandidatesRequest, CandidatesResponse, encodeFloat32, encodeInt32 } from '@mlsys/contracts';
import { createServiceApp, RequestValidationError, type ServiceApp, type WarmUp } from '@mlsys/service-kit';
import { type Logger, type Metrics, StageTimer } from '@mlsys/telemetry';
import type { CandidateIndex } from './domain/ports.js';

export interface CandidateGenDeps {
  index: CandidateIndex;
  /** What `/readyz` and every answer report: the artifact set the index came from, and its search settings. */
  indexVersion: string;
  indexParams: Record<string, string>;
  logger: Logger;
  metrics: Metrics;
  version: string;
  /** When given, `/readyz` waits for it (main adds the searches), and its requests are not counted. */
  warmUp?: WarmUp;
}

/** Candidate generation: top-k songs by user vector from the in-memory index. No env, no listen. */
export function buildApp(deps: CandidateGenDeps): ServiceApp {
  const app = createServiceApp({
    name: 'candidate-gen',
    version: deps.version,
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimitBytes: 64 * 1024,
    readiness: {
      artifacts: () => ({ index: deps.indexVersion, ...deps.indexParams }),
      warmUp: deps.warmUp,
    },
  });
  const searchSeconds = deps.metrics.histogram(
    'candidate_gen_search_seconds',
    'time of one index search (all shards, fan-out and merge included)',
  );
  // The slowest shard sets a sharded search's tail; each shard's own time shows which one and how
  // much of the search the trip to the shards adds.
  const shardSeconds = deps.metrics.histogram(
    'candidate_gen_shard_search_seconds',
    "one shard's own search time, without the trip to its thread or process",
    ['shard'],
  );
  const returned = deps.metrics.histogram(
    'candidate_gen_candidates',
    'candidates returned per call',
    [],
    [10, 50, 100, 200, 500, 1000, 2000],
  );

  app.post(
    '/v1/candidates',
    { schema: { body: CandidatesRequest, response: { 200: CandidatesResponse } } },
    async (request, reply) => {
      const { vector, k, exclude } = request.body;
      if (vector.length !== deps.index.dim) {
        throw new RequestValidationError('body', [
          {
            field: 'vector',
            reason: `must have ${deps.index.dim} numbers (the index dimension), got ${vector.length}`,
          },
        ]);
      }
      const timer = new StageTimer();
      const started = performance.now();
      const found = await deps.index.search(vector, k, new Set(exclude));
      const ms = performance.now() - started;
      timer.record('ann', ms);
      if (!deps.warmUp?.marks(request.headers)) {
        searchSeconds.observe(ms / 1000);
        returned.observe(found.ids.length);
        for (const [shard, shardMs] of (found.shardMs ?? []).entries())
          shardSeconds.observe({ shard: String(shard) }, shardMs / 1000);
      }
      reply.header('server-timing', timer.header());
      return {
        candidates: { ids: encodeInt32(found.ids), scores: encodeFloat32(found.scores) },
        indexVersion: deps.indexVersion,
      };
    },
  );

  return app;
}

/** The warm-up's searches: each query through `POST /v1/candidates` at the design's k, a few times. */
export function warmUpSearches(
  warmUp: WarmUp,
  app: ServiceApp,
  queries: readonly number[][],
  k: number,
): void {
  warmUp.request(
    'index search',
    app,
    queries.map((vector) => ({ method: 'POST' as const, url: '/v1/candidates', payload: { vector, k } })),
    { times: 3 },
  );
}
