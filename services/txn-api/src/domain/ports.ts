import type { Decision, PartitionOwner, Transaction } from '@mlsys/contracts';

/** Hands an accepted transaction to the pipeline (Kafka, keyed by card). */
export interface TransactionPublisher {
  publish(transaction: Transaction): Promise<void>;
}

/** Where decisions are kept for `GET /v1/decisions/:id` (Redis, with a TTL). */
export interface DecisionStore {
  get(transactionId: string): Promise<Decision | undefined>;
  put(decisions: readonly Decision[]): Promise<void>;
}

/** The scorer's payment-level rules, asked when the pipeline misses the synchronous deadline. */
export interface RulesOnlyDecider {
  decide(transaction: Transaction): Promise<Decision>;
}

/** Where each partition's owner (the feature-engine instance that decides its cards) is. */
export interface OwnerDirectory {
  partitionOf(cardId: string): number;
  ownerOf(partition: number): PartitionOwner | undefined;
  /** Re-reads the owners (after a request found the wrong one). */
  refresh(): Promise<void>;
}

/** A phase of a call as its callee timed it (its `Server-Timing`). */
export interface TimedPhase {
  name: string;
  ms: number;
}

/** The owner's answer, with where its time went (append, wait, score, journal): a slow answer's cause shows. */
export interface OwnerAnswer {
  decision: Decision;
  phases: readonly TimedPhase[];
}

/** The owner's request-path decision: rules and model on the card's features, all earlier payments in. */
export interface OwnerDecider {
  decide(url: string, transaction: Transaction, deadlineMs: number): Promise<OwnerAnswer>;
}

/**
 * Why the owner gave no decision: `moved` (the instance does not own the
 * partition any longer: look again), `late` (no answer within the
 * deadline), `not-ready` (its `503 appended_undecided`: it appended the
 * payment but could not decide it in time), `unreachable` (no connection,
 * or any other error, another `503` included: the payment may not be in the log).
 */
export type OwnerMiss = 'no-owner' | 'moved' | 'late' | 'not-ready' | 'unreachable';

export class OwnerCallError extends Error {
  constructor(
    readonly miss: Exclude<OwnerMiss, 'no-owner'>,
    message: string,
  ) {
    super(message);
    this.name = 'OwnerCallError';
  }
}
