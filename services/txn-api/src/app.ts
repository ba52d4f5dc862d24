import {
  Decision,
  ErrorBody,
  Transaction,
  TransactionAccepted,
  TransactionIdParams,
  TransactionSubmitQuery,
} from '@mlsys/contracts';
import { createServiceApp, notFound, type ReadinessCheck, type ServiceApp } from '@mlsys/service-kit';
import { type Logger, type Metrics, serverTimingHeader } from '@mlsys/telemetry';
import type { DecisionWaiters } from './domain/decision-waiters.js';
import type { DecisionStore, RulesOnlyDecider, TransactionPublisher } from './domain/ports.js';
import { decideSynchronously } from './domain/synchronous-decision.js';

export interface TxnApiDeps {
  publisher: TransactionPublisher;
  decisions: DecisionStore;
  logger: Logger;
  metrics: Metrics;
  version: string;
  readiness: Record<string, ReadinessCheck>;
  /** Fed by the decision consumer: what `?wait=true` requests wait on. */
  waiters: DecisionWaiters;
  /** Answers with the payment-level rules when the pipeline misses the deadline. */
  rulesOnly: RulesOnlyDecider;
  /** How long `?wait=true` waits for the pipeline's decision. */
  syncDeadlineMs: number;
  /** A transaction is a few hundred bytes; anything much larger is a mistake or an attack. */
  bodyLimitBytes?: number;
  clock?: () => number;
}

/** The fraud design's edge: accepts transactions and serves decisions. No env, no listen. */
export function buildApp(deps: TxnApiDeps): ServiceApp {
  const app = createServiceApp({
    name: 'txn-api',
    version: deps.version,
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimitBytes: deps.bodyLimitBytes ?? 16 * 1024,
    readiness: { checks: deps.readiness },
  });
  const accepted = deps.metrics.counter(
    'txn_api_transactions_accepted_total',
    'transactions accepted and produced to Kafka',
  );

  const synchronous = deps.metrics.counter(
    'txn_api_sync_decisions_total',
    'answers to ?wait=true, by source: pipeline (in time), rules-only (deadline missed), held-for-review (rules down too)',
    ['source'],
  );

  app.post(
    '/v1/transactions',
    {
      schema: {
        body: Transaction,
        querystring: TransactionSubmitQuery,
        response: { 200: Decision, 202: TransactionAccepted, 400: ErrorBody, 413: ErrorBody },
      },
    },
    async (request, reply) => {
      const transaction = request.body;
      if (request.query.wait === 'true') {
        const started = performance.now();
        const { decision, source } = await decideSynchronously(transaction, {
          publisher: deps.publisher,
          waiters: deps.waiters,
          store: deps.decisions,
          rulesOnly: deps.rulesOnly,
          deadlineMs: deps.syncDeadlineMs,
          clock: deps.clock ?? Date.now,
        });
        accepted.inc();
        synchronous.inc({ source });
        // The caller sees how long the decision took and where it came from.
        const timing = serverTimingHeader([
          { name: 'decision', ms: performance.now() - started, description: source },
        ]);
        return reply.code(200).header('server-timing', timing).send(decision);
      }
      await deps.publisher.publish(transaction);
      accepted.inc();
      return reply.code(202).send({
        transactionId: transaction.transactionId,
        status: 'accepted',
        decisionUrl: `/v1/decisions/${encodeURIComponent(transaction.transactionId)}`,
      });
    },
  );

  app.get(
    '/v1/decisions/:id',
    { schema: { params: TransactionIdParams, response: { 200: Decision, 404: ErrorBody } } },
    async (request) => {
      const decision = await deps.decisions.get(request.params.id);
      if (!decision)
        throw notFound(`a decision for transaction ${request.params.id} (it may still be in flight)`);
      return decision;
    },
  );

  return app;
}
