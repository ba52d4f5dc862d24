import type { Chargeback, Transaction } from '@mlsys/contracts';

/** What the feature engine consumes: payments from `transactions`, labels from `chargebacks`. */
export type EngineEvent =
  | { kind: 'transaction'; transaction: Transaction }
  | { kind: 'chargeback'; chargeback: Chargeback };

/**
 * The time an event takes effect: a payment at its event time, a chargeback
 * when it was reported (features never see a label before it existed).
 */
export function effectiveTime(event: EngineEvent): number {
  return event.kind === 'transaction' ? event.transaction.eventTime : event.chargeback.reportedAt;
}

/** At equal times a chargeback goes first, as the simulator (and so offline replay) orders them. */
export function tieRank(event: EngineEvent): number {
  return event.kind === 'chargeback' ? 0 : 1;
}
