import { describe, expect, it } from 'vitest';
import { transactionFingerprint } from '../src/domain/transaction-fingerprint.js';
import { validTransaction } from './fakes.js';

describe('transactionFingerprint', () => {
  it('when the same payment arrives with its keys in another order and its amount spelled differently, then the fingerprint is the same', () => {
    const sent = validTransaction({ amount: 42.5 });
    const reordered = JSON.parse(
      `{"merchantCategory":"5411","channel":"pos","currency":"EUR","amount":42.50,"terminalId":"term-1",` +
        `"cardId":"card-1","eventTime":1700000000000,"transactionId":"tx-1"}`,
    );
    expect(transactionFingerprint(reordered)).toBe(transactionFingerprint(sent));
  });

  it('when an optional field is added or one value changes, then the fingerprint differs', () => {
    const base = transactionFingerprint(validTransaction());
    expect(transactionFingerprint(validTransaction({ deviceId: 'd-1' }))).not.toBe(base);
    expect(transactionFingerprint(validTransaction({ eventTime: 1_700_000_000_001 }))).not.toBe(base);
  });

  it('when computed, then it is the SHA-256 of the canonical body, in hex', () => {
    expect(transactionFingerprint(validTransaction())).toMatch(/^[0-9a-f]{64}$/);
  });
});
