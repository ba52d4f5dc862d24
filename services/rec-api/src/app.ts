import { RecommendationParams, RecommendationQuery, Recommendations } from '@mlsys/contracts';
import { createServiceApp, RequestValidationError, type ServiceApp, type WarmUp } from '@mlsys/service-kit';
import { type Logger, type Metrics, serverTimingHeader } from '@mlsys/telemetry';
import type { ServingCatalog } from './domain/catalog.js';
import type { RecommendationStages } from './domain/ports.js';
import { recommend, type StageDeadlines } from './domain/recommend.js';

export interface RecApiDeps {
  stages: RecommendationStages;
  catalog: ServingCatalog;
  deadlines: StageDeadlines;
  rulesOverfetch: number;
  logger: Logger;
  metrics: Metrics;
  version: string;
  now?: () => number;
  /** When given, `/readyz` waits for it (main adds the recommendations), and its requests are not counted. */
  warmUp?: WarmUp;
}

/** The public gateway of the recommendation design. No env, no listen. */
export function buildApp(deps: RecApiDeps): ServiceApp {
  const app = createServiceApp({
    name: 'rec-api',
    version: deps.version,
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimitBytes: 1024,
    // Stages are not readiness checks: when one is down the gateway still answers, degraded.
    readiness: { artifacts: () => ({ catalog: deps.catalog.artifactVersion }), warmUp: deps.warmUp },
  });

  const stageSeconds = deps.metrics.histogram(
    'rec_api_stage_seconds',
    'wall time of each stage as the gateway sees it',
    ['stage'],
  );
  const degraded = deps.metrics.counter(
    'rec_api_degraded_total',
    'responses where a stage fell back, by stage',
    ['stage'],
  );
  const coldStarts = deps.metrics.counter(
    'rec_api_cold_start_total',
    'responses built from regional popularity (no user features)',
  );
  const rulesMissed = deps.metrics.counter(
    'rec_api_rules_missed_total',
    'songs the rules service let through that the licensing guard removed (a bug)',
  );
  const pipeline = {
    stages: deps.stages,
    catalog: deps.catalog,
    deadlines: deps.deadlines,
    rulesOverfetch: deps.rulesOverfetch,
    now: deps.now ?? Date.now,
  };
  const regionCodes = [...deps.catalog.regions.keys()];

  app.get(
    '/v1/recommendations/:userId',
    {
      schema: {
        params: RecommendationParams,
        querystring: RecommendationQuery,
        response: { 200: Recommendations },
      },
    },
    async (request, reply) => {
      const started = performance.now();
      const { userId } = request.params;
      const { region, count = 20, explain = false, allowExplicit = true } = request.query;
      if (!deps.catalog.regions.has(region)) {
        throw new RequestValidationError('querystring', [
          { field: 'region', reason: `must be one of ${regionCodes.join(', ')}` },
        ]);
      }

      const result = await recommend(pipeline, { userId, region, count, allowExplicit });

      // The warm-up's answers are not traffic; a rules bug it meets is still one.
      if (!deps.warmUp?.marks(request.headers)) {
        for (const t of result.timings)
          if (!t.name.includes('.')) stageSeconds.observe({ stage: t.name }, t.ms / 1000);
        for (const d of result.degraded) degraded.inc({ stage: d.stage });
        if (result.coldStart) coldStarts.inc();
      }
      if (result.rulesMissed > 0) {
        rulesMissed.inc(result.rulesMissed);
        request.log.error(
          { songs: result.rulesMissed },
          'the rules service let through songs the licensing guard removed',
        );
      }
      reply.header(
        'server-timing',
        serverTimingHeader([
          ...result.timings,
          { name: 'compute', ms: result.computeMs },
          { name: 'total', ms: performance.now() - started },
        ]),
      );
      return {
        userId,
        region,
        items: result.items,
        degraded: result.degraded.length > 0,
        degradedStages: result.degraded,
        coldStart: result.coldStart,
        artifactVersion: deps.catalog.artifactVersion,
        ...(explain ? { explain: result.explain } : {}),
      };
    },
  );

  return app;
}
