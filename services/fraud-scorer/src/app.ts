import { ActiveRules, Decision, ErrorBody, Transaction } from '@mlsys/contracts';
import { createServiceApp, type ReadinessCheck, type ServiceApp, type WarmUp } from '@mlsys/service-kit';
import type { Logger, Metrics } from '@mlsys/telemetry';
import type { RuleBook } from './domain/rules.js';
import { decideRulesOnly } from './rules-only.js';

export interface FraudScorerDeps {
  logger: Logger;
  metrics: Metrics;
  version: string;
  readiness: Record<string, ReadinessCheck>;
  /** Model, feature spec and rules versions, shown by `/readyz`. */
  artifacts: () => Record<string, string>;
  rules: () => RuleBook;
  clock?: () => number;
  /** When given, `/readyz` waits for it (see `warmUpScoring`), and its requests are not counted. */
  warmUp?: WarmUp;
}

/**
 * The scorer's HTTP side: health, metrics, the rules in force, and the
 * rules-only decision txn-api falls back to when the pipeline misses its
 * deadline. No env, no listen.
 */
export function buildApp(deps: FraudScorerDeps): ServiceApp {
  const clock = deps.clock ?? Date.now;
  const app = createServiceApp({
    name: 'fraud-scorer',
    version: deps.version,
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimitBytes: 16 * 1024,
    readiness: { checks: deps.readiness, artifacts: deps.artifacts, warmUp: deps.warmUp },
  });
  const rulesOnly = deps.metrics.counter(
    'fraud_scorer_rules_only_decisions_total',
    'rules-only decisions served over HTTP (the synchronous fallback)',
    ['decision'],
  );

  app.get('/v1/rules', { schema: { response: { 200: ActiveRules } } }, async () => {
    const book = deps.rules();
    return { rulesVersion: book.version, ruleSet: book.source };
  });

  app.post(
    '/v1/decisions/rules-only',
    { schema: { body: Transaction, response: { 200: Decision, 400: ErrorBody, 413: ErrorBody } } },
    async (request) => {
      const decision = decideRulesOnly(deps.rules(), request.body, clock());
      if (!deps.warmUp?.marks(request.headers)) rulesOnly.inc({ decision: decision.decision });
      return decision;
    },
  );

  return app;
}
