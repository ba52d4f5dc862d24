import type { Decision, DecisionOutcome, Transaction } from '@mlsys/contracts';
import type { FiredRule } from './rules.js';

const SEVERITY: Record<DecisionOutcome, number> = { approve: 0, review: 1, decline: 2 };
const strongest = (a: DecisionOutcome, b: DecisionOutcome) => (SEVERITY[b] > SEVERITY[a] ? b : a);

/** Calibrated-probability cut-offs from the model's artifacts. */
export interface Thresholds {
  review: number;
  decline: number;
}

export interface DecisionContext {
  thresholds: Thresholds;
  modelVersion: string;
  rulesVersion: string;
  decidedAt: number;
}

export function modelOutcome(score: number, thresholds: Thresholds): DecisionOutcome {
  if (score >= thresholds.decline) return 'decline';
  return score >= thresholds.review ? 'review' : 'approve';
}

/**
 * Rules and model together: the strongest outcome wins, and every reason
 * for it is kept (each fired rule, and the model when it alone would not
 * approve), so an analyst sees why.
 */
export function decide(
  transaction: Transaction,
  score: number,
  rules: readonly FiredRule[],
  context: DecisionContext,
): Decision {
  const byModel = modelOutcome(score, context.thresholds);
  let outcome = byModel;
  const reasons: string[] = [];
  for (const rule of rules) {
    outcome = strongest(outcome, rule.action);
    reasons.push(`rule ${rule.id}: ${rule.reason}`);
  }
  if (byModel !== 'approve') {
    const threshold = context.thresholds[byModel];
    reasons.push(`model: score ${score.toFixed(3)} >= ${byModel} threshold ${threshold.toFixed(3)}`);
  }
  return {
    transactionId: transaction.transactionId,
    cardId: transaction.cardId,
    decision: outcome,
    score,
    reasons,
    mode: 'full',
    modelVersion: context.modelVersion,
    rulesVersion: context.rulesVersion,
    eventTime: transaction.eventTime,
    decidedAt: context.decidedAt,
  };
}

/** When the model's input is not available: the payment-level rules alone, flagged as such. */
export function decideWithRulesOnly(
  transaction: Transaction,
  rules: readonly FiredRule[],
  context: Pick<DecisionContext, 'rulesVersion' | 'decidedAt'>,
): Decision {
  let outcome: DecisionOutcome = 'approve';
  for (const rule of rules) outcome = strongest(outcome, rule.action);
  return {
    transactionId: transaction.transactionId,
    cardId: transaction.cardId,
    decision: outcome,
    score: 0,
    reasons: rules.map((rule) => `rule ${rule.id}: ${rule.reason}`),
    mode: 'rules-only',
    modelVersion: 'none',
    rulesVersion: context.rulesVersion,
    eventTime: transaction.eventTime,
    decidedAt: context.decidedAt,
  };
}
