import type { Transaction } from '@mlsys/contracts';

/**
 * What the ledger knew of a transaction id when a payment claimed it:
 *
 * | admission   | the id was                                        | the payment is                   |
 * | ----------- | ------------------------------------------------- | -------------------------------- |
 * | `new`       | free; this request now holds it, in flight        | produced                         |
 * | `repeat`    | produced before with the same body                | answered as before, not produced |
 * | `in-flight` | held by an earlier request with the same body     | refused for now (retry)          |
 * | `conflict`  | taken by a different body                         | refused                          |
 *
 * `in-flight` exists so that a retry sent while the first attempt is still
 * producing is never told "accepted" for a payment that attempt then fails
 * to produce: only a confirmed produce makes later copies repeats.
 */
export type Admission = 'new' | 'repeat' | 'in-flight' | 'conflict';

/**
 * Which transaction ids are taken, and by which body (its fingerprint).
 * `admit` takes a free id in flight; the request that took it settles it:
 * `confirm` once the payment is in `transactions`, `release` when it did not
 * get in, so the caller's retry produces it instead of being refused.
 */
export interface TransactionLedger {
  admit(transaction: Transaction): Promise<Admission>;
  confirm(transaction: Transaction): Promise<void>;
  release(transaction: Transaction): Promise<void>;
}

/**
 * How long an id stays in flight when its request never settles it (the
 * process died before answering, or the ledger did not answer the settle).
 * It outlasts a request in practice, the Kafka client's produce retries
 * included; should a request still outlast it, a copy is admitted as new and
 * produced again, which the feature engine drops as a duplicate by id: a
 * payment produced twice, never one lost.
 */
export const IN_FLIGHT_LEASE_SECONDS = 60;
