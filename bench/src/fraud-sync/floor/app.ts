import { ErrorBody, Transaction, TransactionAccepted } from '@mlsys/contracts';
import { createServiceApp, type ReadinessCheck, type ServiceApp } from '@mlsys/service-kit';
import type { Logger, Metrics } from '@mlsys/telemetry';

export interface FloorDeps {
  /** Resolves once every in-sync replica has the transaction (acks=all). */
  publish(transaction: Transaction): Promise<void>;
  logger: Logger;
  metrics: Metrics;
  version: string;
  readiness: Record<string, ReadinessCheck>;
}

/**
 * The floor under `POST /v1/transactions?wait=true`: what any answer to a
 * payment must cost on this machine (the same service app, validation and
 * durable produce as txn-api) with no features, no model and no wait for a
 * decision. The bench divides the decision API's highest sustainable rate by
 * this one's, which a noisy shared host moves far less than either alone.
 */
export function buildFloorApp(deps: FloorDeps): ServiceApp {
  const app = createServiceApp({
    name: 'fraud-sync-floor',
    version: deps.version,
    logger: deps.logger,
    metrics: deps.metrics,
    // txn-api's limit, so both reject the same bodies.
    bodyLimitBytes: 16 * 1024,
    readiness: { checks: deps.readiness },
  });
  app.post(
    '/v1/transactions',
    { schema: { body: Transaction, response: { 200: TransactionAccepted, 400: ErrorBody, 413: ErrorBody } } },
    async (request, reply) => {
      const transaction = request.body;
      await deps.publish(transaction);
      return reply.code(200).send({
        transactionId: transaction.transactionId,
        status: 'accepted',
        decisionUrl: `/v1/decisions/${encodeURIComponent(transaction.transactionId)}`,
      });
    },
  );
  return app;
}
