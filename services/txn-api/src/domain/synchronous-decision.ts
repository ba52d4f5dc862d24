import type { Decision, Transaction } from '@mlsys/contracts';
import {
  OwnerCallError,
  type OwnerDecider,
  type OwnerDirectory,
  type OwnerMiss,
  type RulesOnlyDecider,
  type TimedPhase,
  type TransactionPublisher,
} from './ports.js';

/** Where a synchronous answer came from. */
/** `pipeline`: the full decision (features, rules, model) from the card's partition owner. */
export type DecisionSource = 'pipeline' | 'rules-only' | 'held-for-review';

export interface SynchronousDecisionDeps {
  owners: OwnerDirectory;
  decider: OwnerDecider;
  publisher: TransactionPublisher;
  rulesOnly: RulesOnlyDecider;
  /** How long the owner may take, all attempts together, counted from the request's admission. */
  deadlineMs: number;
  /**
   * What the request already spent before asking (the admission's Redis round trip, a queue in
   * this process): it comes off the owner's wait, so a request that waited out its budget (Redis
   * stalled, a backlog after it) goes straight to the fallback instead of adding a late call to
   * an owner that is catching up too.
   */
  spentMs?: number;
  clock: () => number;
}

export interface SynchronousAnswer {
  decision: Decision;
  source: DecisionSource;
  miss?: OwnerMiss;
  /** The owner's phases when it decided (none for a fallback). */
  ownerPhases: readonly TimedPhase[];
}

/** Below this much time left, another attempt at an owner could not answer in time. */
const MIN_ATTEMPT_MS = 3;

/**
 * Answers a payment with its decision from the owner of its card's
 * partition: the owner appends the payment to `transactions`, applies it to
 * its live state once every earlier payment of the partition is in, and
 * scores it with the model in-process, so the answer includes the card's
 * whole history and no Kafka commit is on the path. A partition that moved
 * is asked again at its new owner within the deadline. When no owner
 * answers in time, the payment is published here (a copy the owner already
 * appended is a duplicate by id and changes nothing) and answered with the
 * scorer's payment-level rules, flagged `rules-only`; if even those fail it
 * is held for review rather than approved blind. Either way the pipeline's
 * full decision follows at `GET /v1/decisions/:id`.
 */
export async function decideSynchronously(
  transaction: Transaction,
  deps: SynchronousDecisionDeps,
): Promise<SynchronousAnswer> {
  const started = performance.now() - (deps.spentMs ?? 0);
  const left = () => deps.deadlineMs - (performance.now() - started);
  const partition = deps.owners.partitionOf(transaction.cardId);
  let why = `no owner of partition ${partition} is announced`;
  let miss: OwnerMiss = 'no-owner';
  if (left() < MIN_ATTEMPT_MS) {
    why = `the admission took ${Math.round(deps.spentMs ?? 0)} ms of the ${deps.deadlineMs} ms the owner had`;
    miss = 'late';
  }
  for (let attempt = 0; attempt < 3 && left() >= MIN_ATTEMPT_MS; attempt++) {
    let owner = deps.owners.ownerOf(partition);
    if (!owner || attempt > 0) {
      await deps.owners.refresh();
      owner = deps.owners.ownerOf(partition);
    }
    if (!owner) break;
    try {
      const answer = await deps.decider.decide(owner.url, transaction, left());
      return { decision: answer.decision, source: 'pipeline', ownerPhases: answer.phases };
    } catch (error) {
      why = (error as Error).message;
      miss = error instanceof OwnerCallError ? error.miss : 'unreachable';
      // Only a partition that moved is worth another try; a late or failing owner would only be later.
      if (miss !== 'moved') break;
    }
  }
  // An owner that answered 503 appended the payment already; in every other case it may not have.
  if (miss !== 'not-ready') await deps.publisher.publish(transaction);
  try {
    return {
      decision: await deps.rulesOnly.decide(transaction),
      source: 'rules-only',
      miss,
      ownerPhases: [],
    };
  } catch (error) {
    return {
      decision: heldForReview(
        transaction,
        deps,
        `${why}; the rules did not answer (${(error as Error).message})`,
      ),
      source: 'held-for-review',
      miss,
      ownerPhases: [],
    };
  }
}

function heldForReview(transaction: Transaction, deps: SynchronousDecisionDeps, cause: string): Decision {
  return {
    transactionId: transaction.transactionId,
    cardId: transaction.cardId,
    decision: 'review',
    score: 0,
    reasons: [`no decision within ${deps.deadlineMs} ms (${cause}): held for review`],
    mode: 'rules-only',
    modelVersion: 'none',
    rulesVersion: 'none',
    eventTime: transaction.eventTime,
    decidedAt: deps.clock(),
  };
}
