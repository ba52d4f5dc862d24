import type { Decision, EnrichedTransaction, FraudRuleSet, Transaction } from '@mlsys/contracts';
import { FEATURE_NAMES, FEATURE_SPEC_VERSION, type FeatureName, featureIndex } from '@mlsys/fraud-core';
import type { FraudModel } from '../src/domain/ports.js';

export const T0 = Date.UTC(2018, 3, 2, 12);

let sequence = 0;
export function payment(overrides: Partial<Transaction> = {}): Transaction {
  sequence += 1;
  return {
    transactionId: `tx-${sequence}`,
    eventTime: T0 + sequence,
    cardId: 'card-1',
    terminalId: 'term-1',
    amount: 20,
    currency: 'EUR',
    channel: 'pos',
    merchantCategory: '5411',
    ...overrides,
  };
}

/** A feature vector of zeros with the given features set. */
export function features(values: Partial<Record<FeatureName, number>> = {}): number[] {
  const vector = new Array<number>(FEATURE_NAMES.length).fill(0);
  for (const [name, value] of Object.entries(values)) vector[featureIndex(name as FeatureName)] = value;
  return vector;
}

export function enriched(
  transaction: Transaction,
  values: Partial<Record<FeatureName, number>> = {},
): EnrichedTransaction {
  return {
    transaction,
    featureSpecVersion: FEATURE_SPEC_VERSION,
    features: features({ amount: transaction.amount, ...values }),
    enrichedAt: transaction.eventTime + 1,
  };
}

export const ruleSet = (rules: FraudRuleSet['rules'], version = 'test-1'): FraudRuleSet => ({
  version,
  rules,
});

export const highAmountRule: FraudRuleSet['rules'][number] = {
  id: 'high-amount',
  when: [{ field: 'amount', op: '>', value: 200 }],
  action: 'review',
  reason: 'amount above 200',
};

/** A stand-in model: P(fraud) = the `amount` feature / 1000, capped at 1; counts its calls. */
export class AmountModel implements FraudModel {
  readonly version = 'amount-model';
  readonly featureSpecVersion = FEATURE_SPEC_VERSION;
  readonly featureCount = FEATURE_NAMES.length;
  calls = 0;

  async predict(matrix: Float32Array, rows: number): Promise<Float64Array> {
    this.calls += 1;
    const amount = featureIndex('amount');
    return Float64Array.from({ length: rows }, (_, row) =>
      Math.min(1, matrix[row * this.featureCount + amount]! / 1000),
    );
  }
}

export const decisionIds = (decisions: readonly Decision[]) => decisions.map((d) => d.transactionId);
