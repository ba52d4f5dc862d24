import type { Chargeback, Transaction } from '@mlsys/contracts';

/**
 * Why a payment is fraud. The first three are the Handbook's scenarios,
 * the last two the card-not-present patterns this simulator adds.
 */
export type FraudScenario =
  | 'high-amount'
  | 'compromised-terminal'
  | 'compromised-card'
  | 'card-testing'
  | 'account-takeover';

export const FRAUD_SCENARIOS: readonly FraudScenario[] = [
  'high-amount',
  'compromised-terminal',
  'compromised-card',
  'card-testing',
  'account-takeover',
];

/** The truth about a payment, kept beside it: the Transaction contract carries no label. */
export interface FraudLabel {
  isFraud: boolean;
  scenario: FraudScenario | null;
}

export type SimulatedEvent =
  | { kind: 'transaction'; transaction: Transaction; label: FraudLabel }
  | { kind: 'chargeback'; chargeback: Chargeback };
