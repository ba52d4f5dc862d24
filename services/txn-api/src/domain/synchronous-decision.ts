import type { Decision, Transaction } from '@mlsys/contracts';
import type { DecisionWaiters } from './decision-waiters.js';
import type { DecisionStore, RulesOnlyDecider, TransactionPublisher } from './ports.js';

/** Where a synchronous answer came from. */
export type DecisionSource = 'pipeline' | 'rules-only' | 'held-for-review';

export interface SynchronousDecisionDeps {
  publisher: TransactionPublisher;
  waiters: DecisionWaiters;
  store: DecisionStore;
  rulesOnly: RulesOnlyDecider;
  deadlineMs: number;
  clock: () => number;
}

/**
 * Publishes a transaction and answers with its decision: the pipeline's if
 * it comes back within the deadline (or another instance stored it), else
 * the scorer's payment-level rules, flagged `rules-only`; if even those do
 * not answer, the payment is held for review rather than approved blind.
 * The full decision still arrives later at `GET /v1/decisions/:id`.
 */
export async function decideSynchronously(
  transaction: Transaction,
  deps: SynchronousDecisionDeps,
): Promise<{ decision: Decision; source: DecisionSource }> {
  const pending = deps.waiters.wait(transaction.transactionId, deps.deadlineMs);
  try {
    await deps.publisher.publish(transaction);
  } catch (error) {
    pending.cancel();
    throw error;
  }
  const fromPipeline = (await pending.decision) ?? (await deps.store.get(transaction.transactionId));
  if (fromPipeline) return { decision: fromPipeline, source: 'pipeline' };
  try {
    return { decision: await deps.rulesOnly.decide(transaction), source: 'rules-only' };
  } catch (error) {
    return {
      decision: heldForReview(transaction, deps, (error as Error).message),
      source: 'held-for-review',
    };
  }
}

function heldForReview(transaction: Transaction, deps: SynchronousDecisionDeps, cause: string): Decision {
  return {
    transactionId: transaction.transactionId,
    cardId: transaction.cardId,
    decision: 'review',
    score: 0,
    reasons: [
      `no decision within ${deps.deadlineMs} ms and the rules did not answer (${cause}): held for review`,
    ],
    mode: 'rules-only',
    modelVersion: 'none',
    rulesVersion: 'none',
    eventTime: transaction.eventTime,
    decidedAt: deps.clock(),
  };
}
