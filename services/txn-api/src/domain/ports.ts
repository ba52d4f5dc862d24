import type { Decision, Transaction } from '@mlsys/contracts';

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
