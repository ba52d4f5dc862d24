import type { Transaction } from '@mlsys/contracts';
import { type FeatureVector, FraudFeatureEngine } from '@mlsys/fraud-core';

const NO_TERMINALS = new Map<string, { x: number; y: number }>();

/**
 * A payment's features as fraud-core computes them for a card it has never
 * seen. Only the payment-level ones (amount, channel, night, weekend,
 * merchant risk) mean anything here, and only rules reading nothing else
 * use them; running the engine on an empty state keeps their definitions
 * in one place instead of restating them.
 */
export function transactionLevelFeatures(transaction: Transaction): FeatureVector {
  const result = new FraudFeatureEngine({ terminals: NO_TERMINALS }).apply(transaction);
  if (result.status !== 'applied') throw new Error('a fresh feature engine cannot have seen a payment');
  return result.features;
}
