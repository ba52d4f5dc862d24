import { Chargeback, compileSchema, Transaction } from '@mlsys/contracts';
import { describe, expect, it } from 'vitest';
import { FRAUD_PROFILES, streamFraudEvents } from '../../src/fraud/index.js';

const validTransaction = compileSchema(Transaction);
const validChargeback = compileSchema(Chargeback);

describe('streamFraudEvents', () => {
  it('when paced at a rate, then payment i is due at start + i / rate with its event time on the same clock', () => {
    const startAt = 1_750_000_000_000;
    const payments = [];
    for (const event of streamFraudEvents({
      profile: FRAUD_PROFILES.tiny,
      startAt,
      ratePerSecond: 2_000,
      idPrefix: 'run7:',
    })) {
      if (event.kind === 'transaction') payments.push(event);
      if (payments.length === 5_000) break;
    }
    payments.forEach((p, i) => {
      expect(p.at).toBe(startAt + Math.floor(i / 2));
      expect(p.transaction.eventTime).toBe(p.at);
    });
    expect(payments.every((p) => p.transaction.transactionId.startsWith('run7:tx-'))).toBe(true);
    expect(payments.every((p) => validTransaction.check(p.transaction))).toBe(true);
  });

  it('when chargebacks come, then each names an earlier streamed fraud with its streamed time, and is valid', () => {
    const streamedFrauds = new Map<string, number>();
    let lastAt = 0;
    let chargebacks = 0;
    for (const event of streamFraudEvents({ profile: FRAUD_PROFILES.tiny, startAt: 0, ratePerSecond: 100 })) {
      expect(event.at).toBeGreaterThanOrEqual(lastAt);
      lastAt = event.at;
      if (event.kind === 'transaction') {
        if (event.label.isFraud)
          streamedFrauds.set(event.transaction.transactionId, event.transaction.eventTime);
        continue;
      }
      chargebacks += 1;
      expect(validChargeback.errors(event.chargeback)).toEqual([]);
      expect(event.chargeback.eventTime).toBe(streamedFrauds.get(event.chargeback.transactionId));
      expect(event.chargeback.reportedAt).toBe(event.at);
      expect(event.chargeback.reportedAt).toBeGreaterThan(event.chargeback.eventTime);
    }
    expect(chargebacks).toBeGreaterThan(50);
  });
});
