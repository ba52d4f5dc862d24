import type { Decision, Transaction, TransactionAccepted, TransactionSubmitQuery } from '@mlsys/contracts';
import { HttpError, RequestValidationError, type ServiceApp, unavailable } from '@mlsys/service-kit';
import type { Logger, Metrics } from '@mlsys/telemetry';
import { admitTransaction } from './domain/admission.js';
import { DEFAULT_MAX_EVENT_TIME_SKEW_MS } from './domain/event-time-skew.js';
import type { DecisionStore } from './domain/ports.js';
import type { TransactionLedger } from './domain/transaction-ledger.js';

export interface TransactionAdmissionDeps {
  ledger: TransactionLedger;
  decisions: DecisionStore;
  logger: Logger;
  metrics: Metrics;
  clock?: () => number;
  maxEventTimeSkewMs?: number;
}

/** The request and reply of `POST /v1/transactions`, as far as the admission uses them. */
interface SubmitRequest {
  body: Transaction;
  query: TransactionSubmitQuery;
}
interface RepeatReply {
  code(statusCode: 200 | 202): { send(body: Decision | TransactionAccepted): unknown };
}

/**
 * `POST /v1/transactions` before anything is produced: refuses an event time
 * too far ahead (400) and a reused id (409), and answers an exact repeat as
 * the first time without producing it again.
 *
 * The id of a payment it lets through stays in flight until the answer goes
 * out, then is settled by that answer (an `onSend` hook): a 2xx means the
 * payment is in `transactions`, whoever put it there, so the id is confirmed
 * and later copies are repeats; any other answer releases it, so the
 * caller's retry goes through instead of being refused or told "accepted"
 * for a payment that never got in. Settling before the answer is sent means
 * a caller that got its 202 never sees its own retry refused as in flight.
 */
export class TransactionAdmission {
  private readonly admitted = new WeakMap<object, Transaction>();
  private readonly outcomes: ReturnType<Metrics['counter']>;

  constructor(
    app: ServiceApp,
    private readonly deps: TransactionAdmissionDeps,
  ) {
    this.outcomes = deps.metrics.counter(
      'txn_api_admissions_total',
      'submitted payments by admission: new, repeat (answered as before, not produced), in-flight, conflict (id reused), event-time-ahead',
      ['outcome'],
    );
    app.addHook('onSend', async (request, reply, payload) => {
      const transaction = this.admitted.get(request);
      if (transaction) {
        this.admitted.delete(request);
        await this.settle(transaction, reply.statusCode < 300);
      }
      return payload;
    });
  }

  /**
   * Resolves to false when the payment is to be produced; otherwise answers
   * the request (a repeat's `200`/`202` sent on `reply`; the 400, 409 and
   * 503 thrown for the error handler) and resolves to true.
   */
  async answered(request: SubmitRequest, reply: RepeatReply): Promise<boolean> {
    const transaction = request.body;
    const id = transaction.transactionId;
    const verdict = await admitTransaction(transaction, request.query.wait === 'true', {
      ledger: this.deps.ledger,
      decisions: this.deps.decisions,
      clock: this.deps.clock ?? Date.now,
      maxEventTimeSkewMs: this.deps.maxEventTimeSkewMs ?? DEFAULT_MAX_EVENT_TIME_SKEW_MS,
    }).catch((error: Error) => {
      this.deps.logger.error({ transactionId: id, err: error.message }, 'admission failed');
      throw unavailable(
        `could not check whether transaction ${id} was submitted before (its ledger or the decision store did not answer); nothing was produced: retry`,
      );
    });
    switch (verdict.kind) {
      case 'produce':
        this.outcomes.inc({ outcome: 'new' });
        this.admitted.set(request, transaction);
        return false;
      case 'invalid':
        this.outcomes.inc({ outcome: 'event-time-ahead' });
        throw new RequestValidationError('body', [verdict.problem]);
      case 'conflict':
        this.outcomes.inc({ outcome: 'conflict' });
        throw new HttpError(
          409,
          'conflict',
          `transaction ${id} was already submitted with a different body: a new payment needs a new transactionId (a retry must send the identical body)`,
        );
      case 'in-flight':
        this.outcomes.inc({ outcome: 'in-flight' });
        throw new HttpError(
          409,
          'in_flight',
          `transaction ${id} is still being accepted by an earlier request: retry in a few seconds for its answer`,
        );
      case 'repeat':
        this.outcomes.inc({ outcome: 'repeat' });
        if (verdict.decision) reply.code(200).send(verdict.decision);
        else
          reply.code(202).send({
            transactionId: id,
            status: 'accepted',
            decisionUrl: `/v1/decisions/${encodeURIComponent(id)}`,
          });
        return true;
    }
  }

  /**
   * A ledger that fails here does not change the answer: the id stays in flight until its lease
   * ends (see `IN_FLIGHT_LEASE_SECONDS`), after which a copy is admitted again, and a payment
   * produced twice is dropped downstream as a duplicate by id.
   */
  private async settle(transaction: Transaction, inPipeline: boolean): Promise<void> {
    try {
      if (inPipeline) await this.deps.ledger.confirm(transaction);
      else await this.deps.ledger.release(transaction);
    } catch (error) {
      this.deps.logger.warn(
        { transactionId: transaction.transactionId, err: (error as Error).message },
        inPipeline
          ? 'could not confirm an accepted transaction id'
          : 'could not release a failed transaction id',
      );
    }
  }
}
