import { describe, expect, it } from 'vitest';
import { LabelledDecisions } from '../src/domain/labelled-decisions.js';
import { calibrationOf, qualityOf } from '../src/domain/window-counts.js';
import { parseCohorts, parseWindow, windowRange } from '../src/domain/windows.js';
import { chargeback, DAY, decision, HOUR, scenario, T0, truth } from './scenario.js';

/** Every decision fully weighed: these tests are about the join, not about label maturity. */
const full = () => 1;

describe('LabelledDecisions', () => {
  it('when labels arrive before and after their decisions, and twice, then precision and recall match a direct computation', () => {
    const rows = scenario();
    const labelled = new LabelledDecisions({ retainMs: 7 * DAY, labelHorizonMs: 90 * DAY });
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
      const quality = qualityOf(window.name, labelled.counts(windowRange(window), 10, full), 0);
      const expected = truth(rows, end, 0, window.ms);
      expect(quality.decisions).toBe(expected.decisions);
      expect(quality.precision).toBeCloseTo(expected.precision, 12);
      expect(quality.recall).toBeCloseTo(expected.recall, 12);
    }
    // Every chargeback's delay is counted once, whichever copy came first.
    const delays = [...labelled.delayCounts.values()].flat().reduce((sum, n) => sum + n, 0);
    expect(delays).toBe(rows.filter((r) => r.fraud).length);
  });

  it('when a cohort is asked for, then it holds the decisions of its ages only', () => {
    const rows = scenario(2_000, 24 * 20);
    const labelled = new LabelledDecisions({ retainMs: 20 * DAY, labelHorizonMs: 90 * DAY });
    for (const row of rows) labelled.addDecision(row.decision);
    for (const row of rows) if (row.fraud) labelled.addChargeback(chargeback(row.decision, T0 + 30 * DAY));
    const end = rows.at(-1)!.decision.eventTime;

    for (const cohort of parseCohorts(['1d', '7d', '14d'])) {
      const quality = qualityOf(cohort.name, labelled.counts(cohort, 10, full), 0);
      const expected = truth(rows, end, cohort.fromMs, cohort.toMs);
      expect(quality).toMatchObject({ decisions: expected.decisions, truePositives: expected.truePositives });
      expect(quality.precision).toBeCloseTo(expected.precision, 12);
    }
  });

  it('when reliability is computed, then each bin holds its scores and the ECE is the weighted gap', () => {
    const labelled = new LabelledDecisions({ retainMs: 24 * HOUR, labelHorizonMs: HOUR });
    const scores = [0.05, 0.05, 0.95, 0.95, 0.55];
    const frauds = [false, false, true, false, true];
    scores.forEach((score, i) => {
      const d = decision(i, T0 + i, score > 0.5 ? 'decline' : 'approve', score);
      labelled.addDecision(d);
      if (frauds[i]) labelled.addChargeback(chargeback(d, T0 + 10));
    });

    const {
      bins,
      ece,
      labelled: n,
    } = calibrationOf(labelled.counts(windowRange(parseWindow('1h')), 10, full), 0);

    expect(n).toBe(5);
    expect(bins[0]).toMatchObject({ count: 2, meanScore: 0.05, fraudRate: 0 });
    expect(bins[9]).toMatchObject({ count: 2, meanScore: 0.95, fraudRate: 0.5 });
    expect(bins[5]).toMatchObject({ count: 1, meanScore: 0.55, fraudRate: 1 });
    expect(ece).toBeCloseTo((2 * 0.05 + 2 * 0.45 + 1 * 0.45) / 5, 12);
  });

  it('when decisions age past the oldest range, then they are forgotten', () => {
    const labelled = new LabelledDecisions({ retainMs: HOUR, labelHorizonMs: HOUR });
    labelled.addDecision(decision(1, T0, 'approve', 0.1));
    labelled.addDecision(decision(2, T0 + 2 * HOUR, 'approve', 0.1));

    expect(labelled.size).toBe(1);
    expect(labelled.counts(windowRange(parseWindow('1h')), 10, full).decisions).toBe(1);
  });
});

describe('parseWindow and parseCohorts', () => {
  it('when a window is written with a unit, then it is read in milliseconds; without one it is refused', () => {
    expect(parseWindow('30m').ms).toBe(30 * 60_000);
    expect(parseWindow('7d').ms).toBe(7 * DAY);
    expect(() => parseWindow('1w')).toThrow(/whole number and m, h or d/);
  });

  it('when cohort edges are given, then the cohorts are contiguous from age 0; edges that do not increase are refused', () => {
    expect(parseCohorts(['7d', '14d'])).toEqual([
      { name: '0-7d', fromMs: 0, toMs: 7 * DAY },
      { name: '7d-14d', fromMs: 7 * DAY, toMs: 14 * DAY },
    ]);
    expect(() => parseCohorts(['14d', '7d'])).toThrow(/must increase/);
  });
});
