import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_NAMES, type FeatureName, featureIndex } from '@mlsys/fraud-core';
import { FEATURE_FILES, type FeatureMatrixDescription } from './feature-matrix.js';

/** One condition of a rule: a feature compared with a constant. */
export type Condition = [feature: FeatureName, op: '>' | '>=' | '==', value: number];

export interface BaselineRule {
  id: string;
  /** All conditions must hold. */
  when: Condition[];
  reason: string;
}

/**
 * The rules-only baseline: what a fraud team writes before it has a model.
 * Round thresholds a person would pick, not fitted to this data (the
 * Handbook's scenario 1 fires above 220; the rule says 200).
 */
export const BASELINE_RULES: readonly BaselineRule[] = [
  { id: 'high-amount', when: [['amount', '>', 200]], reason: 'amount above 200' },
  {
    id: 'card-testing-velocity',
    when: [
      ['is_ecom', '==', 1],
      ['card_nb_tx_1h', '>=', 4],
    ],
    reason: 'four or more payments on the card within an hour, online',
  },
  {
    id: 'new-device-high-amount',
    when: [
      ['card_new_device', '==', 1],
      ['card_amount_to_mean_ratio', '>=', 2],
    ],
    reason: 'a device new to the card paying at least twice its usual amount',
  },
];

const compiled = BASELINE_RULES.map((rule) =>
  rule.when.map(([feature, op, value]) => [featureIndex(feature), op, value] as const),
);
const AMOUNT = featureIndex('amount');

/**
 * Score of one payment: the number of rules it fires, then (below 1) its
 * amount, so that among payments firing as many rules the larger ones rank
 * first, as an investigator's queue would. Ranking metrics need a total order.
 */
export function rulesScore(features: ArrayLike<number>): number {
  let fired = 0;
  for (const conditions of compiled) {
    let holds = true;
    for (const [index, op, value] of conditions) {
      const x = features[index]!;
      if (op === '>' ? !(x > value) : op === '>=' ? !(x >= value) : x !== value) {
        holds = false;
        break;
      }
    }
    if (holds) fired += 1;
  }
  return fired + Math.min(features[AMOUNT]!, 99_999) / 100_000;
}

/** Scores every row of the feature matrix; writes one float32 per row. */
export function scoreFeatureMatrix(
  featuresDir: string,
  description: FeatureMatrixDescription,
  outPath: string,
): void {
  const columns = FEATURE_NAMES.length;
  const rowsPerRead = 16_384;
  const buffer = new Float32Array(columns * rowsPerRead);
  const bytes = new Uint8Array(buffer.buffer);
  const scores = new Float32Array(description.rows);
  const fd = openSync(join(featuresDir, FEATURE_FILES.matrix), 'r');
  try {
    for (let row = 0; row < description.rows; ) {
      const count = Math.min(rowsPerRead, description.rows - row);
      readSync(fd, bytes, 0, count * columns * 4, null);
      for (let i = 0; i < count; i++)
        scores[row + i] = rulesScore(buffer.subarray(i * columns, (i + 1) * columns));
      row += count;
    }
  } finally {
    closeSync(fd);
  }
  writeFileSync(outPath, new Uint8Array(scores.buffer));
}
