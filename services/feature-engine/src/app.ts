import { ErrorBody, FeatureEngineStatus, FeatureEntityParams } from '@mlsys/contracts';
import { createServiceApp, notFound, type ReadinessCheck, type ServiceApp } from '@mlsys/service-kit';
import type { Logger, Metrics } from '@mlsys/telemetry';
import Type from 'typebox';
import type { FeatureStateStore } from './domain/ports.js';

export interface FeatureEngineDeps {
  logger: Logger;
  metrics: Metrics;
  version: string;
  readiness: Record<string, ReadinessCheck>;
  /** Versions of the feature spec and artifacts in use, shown by `/readyz`. */
  artifacts: () => Record<string, string>;
  status: () => FeatureEngineStatus;
  store: Pick<FeatureStateStore, 'read'>;
}

/** The feature engine's HTTP side: health, metrics, status and checkpointed entity state. No env, no listen. */
export function buildApp(deps: FeatureEngineDeps): ServiceApp {
  const app = createServiceApp({
    name: 'feature-engine',
    version: deps.version,
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: { checks: deps.readiness, artifacts: deps.artifacts },
  });

  app.get('/v1/status', { schema: { response: { 200: FeatureEngineStatus } } }, async () => deps.status());

  app.get(
    '/v1/entities/:kind/:id',
    { schema: { params: FeatureEntityParams, response: { 200: Type.Unknown(), 404: ErrorBody } } },
    async (request) => {
      const snapshot = await deps.store.read(request.params);
      if (!snapshot) {
        throw notFound(
          `${request.params.kind} ${request.params.id} in the last checkpoint (new entities appear after the next one)`,
        );
      }
      return snapshot;
    },
  );

  return app;
}
