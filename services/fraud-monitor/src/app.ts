import { FraudMonitorReport } from '@mlsys/contracts';
import { createServiceApp, type ReadinessCheck, type ServiceApp, type WarmUp } from '@mlsys/service-kit';
import type { Logger, Metrics } from '@mlsys/telemetry';
import { registerMonitorMetrics } from './adapters/monitor-metrics.js';

export interface FraudMonitorDeps {
  logger: Logger;
  metrics: Metrics;
  version: string;
  readiness: Record<string, ReadinessCheck>;
  artifacts: () => Record<string, string>;
  report: () => Promise<FraudMonitorReport>;
  /** When given, `/readyz` waits for it (see `warmUpReport`), and its requests are not counted. */
  warmUp?: WarmUp;
}

/** The monitor's HTTP side: health, the report as JSON and as Prometheus gauges. No env, no listen. */
export function buildApp(deps: FraudMonitorDeps): ServiceApp {
  const app = createServiceApp({
    name: 'fraud-monitor',
    version: deps.version,
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: { checks: deps.readiness, artifacts: deps.artifacts, warmUp: deps.warmUp },
  });
  registerMonitorMetrics(deps.metrics, deps.report);

  app.get('/v1/report', { schema: { response: { 200: FraudMonitorReport } } }, async () => deps.report());

  return app;
}
