import type { Decision, FieldError, Transaction } from '@mlsys/contracts';
import { eventTimeTooFarAhead } from './event-time-skew.js';
import type { DecisionStore } from './ports.js';
import type { TransactionLedger } from './transaction-ledger.js';

/** What becomes of a submitted payment before anything is produced. */
export type AdmissionVerdict =
  | { kind: 'produce' }
  | { kind: 'invalid'; problem: FieldError }
  | { kind: 'conflict' }
  | { kind: 'in-flight' }
  /** An exact repeat: produced already, so not again; with `?wait=true`, its decision once stored. */
  | { kind: 'repeat'; decision?: Decision };

export interface AdmissionDeps {
  ledger: TransactionLedger;
  decisions: DecisionStore;
  clock: () => number;
  maxEventTimeSkewMs: number;
}

/**
 * Judges a schema-valid payment before it is produced: its event time
 * first, so a refused payment never takes its id; then its id, which a
 * payment to be produced holds in flight until its request settles it.
 */
export async function admitTransaction(
  transaction: Transaction,
  wait: boolean,
  deps: AdmissionDeps,
): Promise<AdmissionVerdict> {
  const problem = eventTimeTooFarAhead(transaction.eventTime, deps.clock(), deps.maxEventTimeSkewMs);
  if (problem) return { kind: 'invalid', problem };
  const admission = await deps.ledger.admit(transaction);
  switch (admission) {
    case 'new':
      return { kind: 'produce' };
    case 'repeat': {
      const decision = wait ? await deps.decisions.get(transaction.transactionId) : undefined;
      return decision ? { kind: 'repeat', decision } : { kind: 'repeat' };
    }
    default:
      return { kind: admission };
  }
}
