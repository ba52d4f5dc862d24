import { RulesRequest, RulesResponse } from '@mlsys/contracts';
import { createServiceApp, type ServiceApp, type WarmUp } from '@mlsys/service-kit';
import { type Logger, type Metrics, StageTimer } from '@mlsys/telemetry';
import { applyRules } from './domain/apply-rules.js';
import { policyVersion, type RulesPolicy } from './domain/policy.js';
import { warmUpRequest } from './warm-up.js';

export interface RulesDeps {
  policy: RulesPolicy;
  logger: Logger;
  metrics: Metrics;
  version: string;
  /** When given, `/readyz` waits for the rule pipeline to have run on a synthetic list. */
  warmUp?: WarmUp;
}

/** The business-rules service: pure logic behind one route. No env, no listen. */
export function buildApp(deps: RulesDeps): ServiceApp {
  const policy = policyVersion(deps.policy);
  const app = createServiceApp({
    name: 'rules',
    version: deps.version,
    logger: deps.logger,
    metrics: deps.metrics,
    // 2,000 items of ~150 bytes each.
    bodyLimitBytes: 512 * 1024,
    readiness: { artifacts: () => ({ policy }), warmUp: deps.warmUp },
  });
  const changes = deps.metrics.counter('rules_changes_total', 'songs removed or moved, by rule and action', [
    'rule',
    'action',
  ]);

  app.post(
    '/v1/apply',
    { schema: { body: RulesRequest, response: { 200: RulesResponse } } },
    async (request, reply) => {
      const timer = new StageTimer();
      const started = performance.now();
      const result = applyRules(request.body, deps.policy);
      timer.record('rules', performance.now() - started);
      if (!deps.warmUp?.marks(request.headers))
        for (const change of result.changes) changes.inc({ rule: change.rule, action: change.action });
      reply.header('server-timing', timer.header());
      return { ...result, policyVersion: policy };
    },
  );

  deps.warmUp?.request(
    'rule pipeline',
    app,
    { method: 'POST', url: '/v1/apply', payload: warmUpRequest(Date.now()) },
    { times: 5 },
  );

  return app;
}
