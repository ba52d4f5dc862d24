import { decodeFloat32, decodeInt32, RankRequest, RankResponse } from '@mlsys/contracts';
import type { ExplorationParams } from '@mlsys/recs-core';
import { createServiceApp, RequestValidationError, type ServiceApp, type WarmUp } from '@mlsys/service-kit';
import { type Logger, type Metrics, StageTimer } from '@mlsys/telemetry';
import type { RankerCatalog } from './domain/catalog.js';
import type { ScoringModel } from './domain/ports.js';
import { type RankInput, rankCandidates, requestProblems } from './domain/rank.js';

export interface RankerDeps {
  model: ScoringModel;
  catalog: RankerCatalog;
  /** The artifact set the model and catalog came from. */
  modelVersion: string;
  modelInfo: Record<string, string>;
  /** The artifact set's exploration places (tuned with the model); absent: plain score order. */
  exploration?: ExplorationParams | null;
  logger: Logger;
  metrics: Metrics;
  version: string;
  now?: () => number;
  /** When given, `/readyz` waits for it (main adds the model runs), and its requests are not counted. */
  warmUp?: WarmUp;
}

/** The ranking stage: scores candidates on cross features with the ONNX model. No env, no listen. */
export function buildApp(deps: RankerDeps): ServiceApp {
  const now = deps.now ?? Date.now;
  const app = createServiceApp({
    name: 'ranker',
    version: deps.version,
    logger: deps.logger,
    metrics: deps.metrics,
    // 2,000 candidates and 50 listens as JSON.
    bodyLimitBytes: 256 * 1024,
    readiness: {
      artifacts: () => ({ model: deps.modelVersion, ...deps.modelInfo }),
      warmUp: deps.warmUp,
    },
  });
  const modelSeconds = deps.metrics.histogram(
    'ranker_model_seconds',
    'time of one model call (all candidates of a request)',
  );
  const batch = deps.metrics.histogram(
    'ranker_batch_rows',
    'candidates scored per model call',
    [],
    [10, 50, 100, 200, 500, 1000, 2000],
  );

  app.post(
    '/v1/rank',
    { schema: { body: RankRequest, response: { 200: RankResponse } } },
    async (request, reply) => {
      const input = unpack(request.body);
      const problems = requestProblems(deps.catalog, input);
      if (problems.length > 0) throw new RequestValidationError('body', problems);
      const ranked = await rankCandidates(
        deps.model,
        deps.catalog,
        input,
        input.nowMs ?? now(),
        deps.exploration,
      );
      if (!deps.warmUp?.marks(request.headers)) {
        modelSeconds.observe(ranked.modelMs / 1000);
        batch.observe(ranked.ids.length);
      }
      const timer = new StageTimer();
      timer.record('features', ranked.featuresMs);
      timer.record('model', ranked.modelMs);
      reply.header('server-timing', timer.header());
      return { ids: ranked.ids, scores: ranked.scores, modelVersion: deps.modelVersion };
    },
  );

  return app;
}

/** Decodes the packed candidate list; a length that is not whole int32s/float32s is a 400 naming the field. */
function unpack(body: RankRequest): RankInput {
  const decode = <T>(field: string, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      throw new RequestValidationError('body', [{ field, reason: (error as Error).message }]);
    }
  };
  return {
    ...body,
    candidates: {
      ids: decode('candidates.ids', () => decodeInt32(body.candidates.ids)),
      scores: decode('candidates.scores', () => decodeFloat32(body.candidates.scores)),
    },
  };
}
