import type { Transaction } from '@mlsys/contracts';
import { type FeatureName, type FeatureVector, featureRecord } from './features.js';

/**
 * What a rule may test: every model feature by name, plus the payment's
 * categorical fields, which the model only sees as flags. Rules are data
 * (`card_nb_tx_1h >= 5 and channel == ecom`), so the view is a flat record.
 */
export type RulesInput = Readonly<
  Record<FeatureName, number> & {
    channel: Transaction['channel'];
    merchantCategory: string;
    currency: string;
  }
>;

export function toRulesInput(txn: Transaction, features: FeatureVector): RulesInput {
  return {
    ...featureRecord(features),
    channel: txn.channel,
    merchantCategory: txn.merchantCategory,
    currency: txn.currency,
  };
}
