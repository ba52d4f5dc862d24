import { describe, expect, it } from 'vitest';
import { decide, decideWithRulesOnly } from '../src/domain/decide.js';
import { payment } from './fixtures.js';

const context = {
  thresholds: { review: 0.1, decline: 0.8 },
  modelVersion: 'model-1',
  rulesVersion: 'rules-1',
  decidedAt: 42,
};

describe('decide', () => {
  it('when neither the model nor a rule objects, then the payment is approved with no reasons', () => {
    const decision = decide(payment(), 0.01, [], context);
    expect(decision).toMatchObject({ decision: 'approve', score: 0.01, reasons: [], mode: 'full' });
    expect(decision).toMatchObject({ modelVersion: 'model-1', rulesVersion: 'rules-1', decidedAt: 42 });
  });

  it('when the model says review and a rule says decline, then the stronger outcome wins and both reasons stay', () => {
    const decision = decide(payment(), 0.5, [{ id: 'r1', action: 'decline', reason: 'because' }], context);
    expect(decision.decision).toBe('decline');
    expect(decision.reasons).toEqual(['rule r1: because', 'model: score 0.500 >= review threshold 0.100']);
  });

  it('when the score reaches the decline threshold, then the model alone declines', () => {
    expect(decide(payment(), 0.8, [], context).decision).toBe('decline');
  });

  it('when only rules decide, then the decision is flagged rules-only with a zero score', () => {
    const decision = decideWithRulesOnly(payment(), [{ id: 'r1', action: 'review', reason: 'big' }], {
      rulesVersion: 'rules-1',
      decidedAt: 7,
    });
    expect(decision).toMatchObject({
      decision: 'review',
      mode: 'rules-only',
      score: 0,
      modelVersion: 'none',
    });
    expect(decision.reasons).toEqual(['rule r1: big']);
  });
});
