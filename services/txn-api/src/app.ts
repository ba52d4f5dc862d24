import {
  Decision,
  ErrorBody,
  Transaction,
  TransactionAccepted,
  TransactionIdParams,
  TransactionSubmitQuery,
} from '@mlsys/contracts';
import {
  createServiceApp,
  notFound,
  type ReadinessCheck,
  type ServiceApp,
  type WarmUp,
} from '@mlsys/service-kit';
import { type Logger, type Metrics, serverTimingHeader } from '@mlsys/telemetry';
import { boundedPublisher, DEFAULT_PUBLISH_TIMEOUT_MS } from './bounded-publisher.js';
import type {
  DecisionStore,
  OwnerDecider,
  OwnerDirectory,
  RulesOnlyDecider,
  TransactionPublisher,
} from './domain/ports.js';
import { decideSynchronously } from './domain/synchronous-decision.js';
import type { TransactionLedger } from './domain/transaction-ledger.js';
import { TransactionAdmission } from './transaction-admission.js';

export interface TxnApiDeps {
  publisher: TransactionPublisher;
  decisions: DecisionStore;
  logger: Logger;
  metrics: Metrics;
  version: string;
  readiness: Record<string, ReadinessCheck>;
  /** Which feature-engine instance owns each card's partition: `?wait=true` asks it. */
  owners: OwnerDirectory;
  decider: OwnerDecider;
  /** Answers with the payment-level rules when no owner answers in time. */
  rulesOnly: RulesOnlyDecider;
  /** How long `?wait=true` waits for the owner's decision. */
  syncDeadlineMs: number;
  /** A transaction is a few hundred bytes; anything much larger is a mistake or an attack. */
  bodyLimitBytes?: number;
  clock?: () => number;
  /** Which transaction ids are taken, by which body: repeats are not produced again, reuse is refused. */
  ledger: TransactionLedger;
  /** How far ahead of `clock` an `eventTime` may be (the sender's clock drift); 5 minutes by default. */
  maxEventTimeSkewMs?: number;
  /** Longest wait for the log to take a payment before the caller gets `503` (see `boundedPublisher`). */
  publishTimeoutMs?: number;
  /** When given, `/readyz` waits for it (see `warmUpTxnApi`), and its requests are not counted. */
  warmUp?: WarmUp;
}

/** The fraud design's edge: accepts transactions and serves decisions. No env, no listen. */
export function buildApp(deps: TxnApiDeps): ServiceApp {
  const app = createServiceApp({
    name: 'txn-api',
    version: deps.version,
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimitBytes: deps.bodyLimitBytes ?? 16 * 1024,
    readiness: { checks: deps.readiness, warmUp: deps.warmUp },
  });
  const admission = new TransactionAdmission(app, deps);
  const publisher = boundedPublisher(deps.publisher, deps.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS);
  const accepted = deps.metrics.counter(
    'txn_api_transactions_accepted_total',
    'transactions accepted and produced to Kafka',
  );

  const synchronous = deps.metrics.counter(
    'txn_api_sync_decisions_total',
    'answers to ?wait=true, by source: pipeline (the partition owner decided in time), rules-only (no owner in time), held-for-review (rules down too)',
    ['source'],
  );

  const ownerMisses = deps.metrics.counter(
    'txn_api_owner_misses_total',
    "?wait=true answers the card partition's owner did not give, by why: no-owner, moved (asked again), late, not-ready, unreachable",
    ['miss'],
  );

  app.post(
    '/v1/transactions',
    {
      schema: {
        body: Transaction,
        querystring: TransactionSubmitQuery,
        response: {
          200: Decision,
          202: TransactionAccepted,
          400: ErrorBody,
          409: ErrorBody,
          413: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const admitting = performance.now();
      if (await admission.answered(request, reply)) return reply;
      const transaction = request.body;
      if (request.query.wait === 'true') {
        const started = performance.now();
        const { decision, source, miss, ownerPhases } = await decideSynchronously(transaction, {
          owners: deps.owners,
          decider: deps.decider,
          publisher,
          rulesOnly: deps.rulesOnly,
          deadlineMs: deps.syncDeadlineMs,
          spentMs: started - admitting,
          clock: deps.clock ?? Date.now,
        });
        accepted.inc();
        synchronous.inc({ source });
        if (miss) ownerMisses.inc({ miss });
        // The caller sees how long the decision took, where it came from (and why not from the owner),
        // and where the owner's time went.
        const timing = serverTimingHeader([
          { name: 'admit', ms: started - admitting },
          ...ownerPhases.map(({ name, ms }) => ({ name: `owner.${name}`, ms })),
          {
            name: 'decision',
            ms: performance.now() - started,
            description: miss ? `${source} (${miss})` : source,
          },
        ]);
        return reply.code(200).header('server-timing', timing).send(decision);
      }
      await publisher.publish(transaction);
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
