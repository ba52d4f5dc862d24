import type { Decision, Transaction } from '@mlsys/contracts';
import { decide, type Thresholds } from './decide.js';
import type { FraudModel } from './ports.js';
import type { FiredRule, RuleBook } from './rules.js';

/** A payment with its features in the model's feature order. */
export interface Scorable {
  transaction: Transaction;
  features: ArrayLike<number>;
}

export interface ScoringContext {
  model: FraudModel;
  /** One rule set for the whole batch, even if the file is reloaded meanwhile. */
  rules: RuleBook;
  thresholds: Thresholds;
  decidedAt: number;
}

export interface ScoredBatch {
  decisions: Decision[];
  /** `fired[i]` are the rules that fired for `decisions[i]`. */
  fired: FiredRule[][];
  modelMs: number;
}

/**
 * Rules and model over a batch: one model call for all rows, the rules per
 * payment, one decision each. What the scorer's stream and the request path
 * at the partition owner both run, so a payment gets the same decision from
 * the same features whichever path decides it.
 */
export async function scoreBatch(items: readonly Scorable[], context: ScoringContext): Promise<ScoredBatch> {
  const { model, rules } = context;
  const matrix = new Float32Array(items.length * model.featureCount);
  items.forEach((item, row) => {
    matrix.set(item.features, row * model.featureCount);
  });
  const modelStarted = performance.now();
  const scores = items.length > 0 ? await model.predict(matrix, items.length) : new Float64Array(0);
  const modelMs = performance.now() - modelStarted;
  const decisionContext = {
    thresholds: context.thresholds,
    modelVersion: model.version,
    rulesVersion: rules.version,
    decidedAt: context.decidedAt,
  };
  const fired = items.map((item) => rules.evaluate(item.transaction, item.features));
  const decisions = items.map((item, row) =>
    decide(item.transaction, scores[row]!, fired[row]!, decisionContext),
  );
  return { decisions, fired, modelMs };
}

/** Why a feature vector cannot go into the model, or undefined when it can. */
export function featureMismatch(
  model: Pick<FraudModel, 'featureSpecVersion' | 'featureCount' | 'version'>,
  featureSpecVersion: string,
  features: ArrayLike<number>,
): string | undefined {
  if (featureSpecVersion === model.featureSpecVersion && features.length === model.featureCount)
    return undefined;
  return `features: spec ${featureSpecVersion} with ${features.length} values, the model ${model.version} reads ${model.featureSpecVersion} with ${model.featureCount}`;
}
