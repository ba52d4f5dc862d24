import { describe, expect, it } from 'vitest';
import { DECISION_SLO_MS, SYNC_DECISION_DEFAULTS } from '../src/domain/decision-budget.js';

describe('synchronous decision budget', () => {
  it('when the defaults are used, then the wait for the pipeline plus the margin for the fallback fit inside the 50 ms decision SLO', () => {
    const { deadlineMs, fallbackMarginMs } = SYNC_DECISION_DEFAULTS;
    expect(DECISION_SLO_MS).toBe(50);
    expect(deadlineMs + fallbackMarginMs).toBeLessThanOrEqual(DECISION_SLO_MS);
  });
});
