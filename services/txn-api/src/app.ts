import { Decision, ErrorBody, Transaction, TransactionAccepted, TransactionIdParams } from '@mlsys/contracts';
import { createServiceApp, notFound, type ReadinessCheck, type ServiceApp } from '@mlsys/service-kit';
import type { Logger, Metrics } from '@mlsys/telemetry';
import type { DecisionStore, TransactionPublisher } from './domain/ports.js';

export interface TxnApiDeps {
  publisher: TransactionPublisher;
  decisions: DecisionStore;
  logger: Logger;
  metrics: Metrics;
  version: string;
  readiness: Record<string, ReadinessCheck>;
  /** A transaction is a few hundred bytes; anything much larger is a mistake or an attack. */
  bodyLimitBytes?: number;
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

  app.post(
    '/v1/transactions',
    {
      schema: {
        body: Transaction,
        response: { 202: TransactionAccepted, 400: ErrorBody, 413: ErrorBody },
      },
    },
    async (request, reply) => {
      const transaction = request.body;
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
