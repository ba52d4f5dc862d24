import { FEATURE_NAMES, type FeatureName, featureIndex } from '@mlsys/fraud-core';
import { describe, expect, it } from 'vitest';
import { rulesScore } from '../../src/fraud/rules-baseline.js';

const vector = (values: Partial<Record<FeatureName, number>>) => {
  const features = new Float64Array(FEATURE_NAMES.length);
  for (const [name, value] of Object.entries(values)) features[featureIndex(name as FeatureName)] = value;
  return features;
};

describe('rules-only baseline', () => {
  it('when no rule fires, then the score is below one and grows with the amount', () => {
    const small = rulesScore(vector({ amount: 20 }));
    const larger = rulesScore(vector({ amount: 150 }));
    expect(small).toBeLessThan(larger);
    expect(larger).toBeLessThan(1);
  });

  it('when a card-testing burst pays online, then the velocity rule fires', () => {
    expect(Math.floor(rulesScore(vector({ amount: 1.5, is_ecom: 1, card_nb_tx_1h: 5 })))).toBe(1);
    expect(Math.floor(rulesScore(vector({ amount: 1.5, is_ecom: 0, card_nb_tx_1h: 5 })))).toBe(0);
  });

  it('when a new device pays a large multiple of the usual amount above 200, then two rules fire', () => {
    const score = rulesScore(vector({ amount: 450, card_new_device: 1, card_amount_to_mean_ratio: 6 }));
    expect(Math.floor(score)).toBe(2);
  });
});
