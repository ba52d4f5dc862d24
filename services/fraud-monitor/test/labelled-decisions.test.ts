import { describe, expect, it } from 'vitest';
import { LabelledDecisions } from '../src/domain/labelled-decisions.js';
import { parseWindow } from '../src/domain/windows.js';
import { chargeback, decision, HOUR, scenario, T0 } from './scenario.js';

function direct(rows: ReturnType<typeof scenario>, from: number, to: number) {
  const inWindow = rows.filter((r) => r.decision.eventTime > from && r.decision.eventTime <= to);
  const flagged = inWindow.filter((r) => r.decision.decision !== 'approve');
  const frauds = inWindow.filter((r) => r.fraud);
  const tp = flagged.filter((r) => r.fraud).length;
  return { decisions: inWindow.length, precision: tp / flagged.length, recall: tp / frauds.length };
}

describe('LabelledDecisions', () => {
  it('when labels arrive before and after their decisions, and twice, then precision and recall match a direct computation', () => {
    const rows = scenario();
    const labelled = new LabelledDecisions({ retainMs: 7 * 24 * HOUR, pendingChargebackMs: 90 * 24 * HOUR });
    rows.forEach((row, i) => {
      // Half the chargebacks are read before their decision (the topics are read at different speeds).
      if (row.fraud && i % 2 === 0)
        labelled.addChargeback(chargeback(row.decision, row.decision.eventTime + 1));
      labelled.addDecision(row.decision);
      labelled.addDecision(row.decision);
    });
    for (const [i, row] of rows.entries()) {
      if (row.fraud && i % 2 === 1)
        labelled.addChargeback(chargeback(row.decision, row.decision.eventTime + 2));
      if (row.fraud) labelled.addChargeback(chargeback(row.decision, row.decision.eventTime + 3));
    }
    const end = rows.at(-1)!.decision.eventTime;

    for (const window of ['1h', '24h', '7d'].map(parseWindow)) {
      const quality = labelled.quality(window);
      const expected = direct(rows, end - window.ms, end);
      expect(quality.decisions).toBe(expected.decisions);
      expect(quality.precision).toBeCloseTo(expected.precision, 12);
      expect(quality.recall).toBeCloseTo(expected.recall, 12);
    }
  });

  it('when reliability is computed, then each bin holds its scores and the ECE is the weighted gap', () => {
    const labelled = new LabelledDecisions({ retainMs: 24 * HOUR, pendingChargebackMs: HOUR });
    const scores = [0.05, 0.05, 0.95, 0.95, 0.55];
    const frauds = [false, false, true, false, true];
    scores.forEach((score, i) => {
      const d = decision(i, T0 + i, score > 0.5 ? 'decline' : 'approve', score);
      labelled.addDecision(d);
      if (frauds[i]) labelled.addChargeback(chargeback(d, T0 + 10));
    });

    const { bins, ece, labelled: n } = labelled.calibration(parseWindow('1h'), 10);

    expect(n).toBe(5);
    expect(bins[0]).toMatchObject({ count: 2, meanScore: 0.05, fraudRate: 0 });
    expect(bins[9]).toMatchObject({ count: 2, meanScore: 0.95, fraudRate: 0.5 });
    expect(bins[5]).toMatchObject({ count: 1, meanScore: 0.55, fraudRate: 1 });
    expect(ece).toBeCloseTo((2 * 0.05 + 2 * 0.45 + 1 * 0.45) / 5, 12);
  });

  it('when decisions age past the longest window, then they are forgotten', () => {
    const labelled = new LabelledDecisions({ retainMs: HOUR, pendingChargebackMs: HOUR });
    labelled.addDecision(decision(1, T0, 'approve', 0.1));
    labelled.addDecision(decision(2, T0 + 2 * HOUR, 'approve', 0.1));

    expect(labelled.size).toBe(1);
    expect(labelled.quality(parseWindow('1h')).decisions).toBe(1);
  });
});

describe('parseWindow', () => {
  it('when a window is written with a unit, then it is read in milliseconds; without one it is refused', () => {
    expect(parseWindow('30m').ms).toBe(30 * 60_000);
    expect(parseWindow('7d').ms).toBe(7 * 24 * HOUR);
    expect(() => parseWindow('1w')).toThrow(/whole number and m, h or d/);
  });
});
