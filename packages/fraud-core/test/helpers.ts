import type { Chargeback, Transaction } from '@mlsys/contracts';

export const T0 = Date.UTC(2018, 3, 2, 12); // a Monday, noon UTC

let sequence = 0;

/** A valid payment with overridable fields; ids are unique unless given. */
export function payment(overrides: Partial<Transaction> = {}): Transaction {
  sequence += 1;
  return {
    transactionId: `tx-${sequence}`,
    eventTime: T0,
    cardId: 'card-1',
    terminalId: 'term-1',
    amount: 20,
    currency: 'EUR',
    channel: 'pos',
    merchantCategory: '5411',
    ...overrides,
  };
}

export function chargebackOf(txn: Transaction, reportedAt: number): Chargeback {
  return { transactionId: txn.transactionId, cardId: txn.cardId, eventTime: txn.eventTime, reportedAt };
}
