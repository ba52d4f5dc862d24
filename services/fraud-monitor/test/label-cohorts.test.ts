import { describe, expect, it } from 'vitest';
import { MemoryLabelStore } from '../src/domain/label-store.js';
import { parseCohorts, parseWindow } from '../src/domain/windows.js';
import { DAY, HOUR, lateLabelStream, logNormalDelays, maturity, truth } from './scenario.js';

const windows = {
  quality: ['1h', '24h', '7d'].map(parseWindow),
  calibration: parseWindow('7d'),
  calibrationBins: 10,
  cohorts: parseCohorts(['7d', '14d', '30d', '60d']),
};

async function reportOf(stream: ReturnType<typeof lateLabelStream>, minCoverage = 0.8) {
  const store = new MemoryLabelStore(windows, { labelHorizonMs: 90 * DAY, maturity: maturity(minCoverage) });
  // Read as a live monitor would: each chargeback once the stream has reached its report time.
  let next = 0;
  for (const decision of stream.decisions) {
    while (next < stream.chargebacks.length && stream.chargebacks[next]!.reportedAt <= decision.eventTime) {
      await store.addChargebacks([stream.chargebacks[next++]!]);
    }
    await store.addDecisions([decision]);
  }
  await store.addChargebacks(stream.chargebacks.slice(next));
  return store.report();
}

describe('quality by decision-age cohort', () => {
  it('when a month of traffic has its chargebacks 7 days after the payment, then the 7-day window, its calibration and the youngest cohort are not yet known (null, not 0), and the older cohorts report the precision and recall of all their labels', async () => {
    const stream = lateLabelStream(30, 400, () => 7 * DAY);

    const report = await reportOf(stream);

    const week = report.quality[2]!;
    expect(week).toMatchObject({
      window: '7d',
      frauds: 0,
      precision: null,
      recall: null,
      status: 'not yet known',
    });
    expect(week.decisions).toBeGreaterThan(2_000);
    expect(week.flagged).toBeGreaterThan(0);
    expect(week.labelCoverage).toBeLessThan(0.05);
    expect(report.quality.map((q) => q.status)).toEqual(['not yet known', 'not yet known', 'not yet known']);
    expect(report.calibration).toMatchObject({ window: '7d', ece: null, status: 'not yet known' });
    expect(report.calibration.bins.every((bin) => bin.fraudRate === null)).toBe(true);
    expect(report.calibration.bins.some((bin) => bin.count > 0 && bin.meanScore !== null)).toBe(true);

    const [young, second, third, oldest] = report.cohorts;
    expect(young).toMatchObject({
      cohort: '0-7d',
      precision: null,
      recall: null,
      ece: null,
      status: 'not yet known',
    });
    for (const [cohort, fromMs, toMs] of [
      [second!, 7 * DAY, 14 * DAY],
      [third!, 14 * DAY, 30 * DAY],
    ] as const) {
      const expected = truth(stream.rows, stream.end, fromMs, toMs);
      expect(cohort).toMatchObject({
        status: 'known',
        decisions: expected.decisions,
        flagged: expected.flagged,
        frauds: expected.frauds,
        truePositives: expected.truePositives,
      });
      expect(cohort.precision).toBeCloseTo(expected.precision, 12);
      expect(cohort.recall).toBeCloseTo(expected.recall, 12);
      expect(cohort.labelCoverage).toBeGreaterThan(0.8);
      expect(cohort.ece).not.toBeNull();
    }
    expect(second!.cohort).toBe('7d-14d');
    expect(oldest).toMatchObject({
      cohort: '30d-60d',
      decisions: 0,
      labelCoverage: null,
      status: 'no decisions',
    });
    expect(report.labelDelay).toMatchObject({ source: 'learned', chargebacks: stream.chargebacks.length });
    expect(report.labelDelay.medianMs).toBeGreaterThan(7 * DAY);
    expect(report.labelDelay.medianMs).toBeLessThan(8 * DAY);
  });

  it('when delays spread as the simulator draws them, then each cohort coverage is the share of its eventual chargebacks that did arrive', async () => {
    const delay = logNormalDelays(7, 0.6);
    const eventual = new Map<string, number>();
    const stream = lateLabelStream(60, 400, (row) => {
      const ms = delay();
      eventual.set(row.decision.transactionId, ms);
      return ms;
    });

    const report = await reportOf(stream);

    expect(report.labelDelay.source).toBe('learned');
    for (const cohort of report.cohorts) {
      const inCohort = stream.rows.filter(
        (r) =>
          r.fraud &&
          r.decision.eventTime > stream.end - cohort.maxAgeMs &&
          r.decision.eventTime <= stream.end - cohort.minAgeMs,
      );
      const arrived = inCohort.filter(
        (r) => r.decision.eventTime + eventual.get(r.decision.transactionId)! <= stream.end,
      );
      expect(cohort.labelCoverage).toBeCloseTo(arrived.length / inCohort.length, 1);
    }
    // About 70 % of the 7d-14d cohort's chargebacks have come under these delays: not enough to judge it.
    expect(report.cohorts.map((c) => c.status)).toEqual(['not yet known', 'not yet known', 'known', 'known']);
  });

  it('when no chargeback has been read, then nothing is known however old the decisions', async () => {
    const stream = lateLabelStream(40, 100, () => 7 * DAY);

    const report = await reportOf({ ...stream, chargebacks: [] });

    expect(report.labelDelay).toMatchObject({ source: 'prior', chargebacks: 0, labelTime: null });
    for (const group of [...report.quality, ...report.cohorts]) {
      expect(group.status).toBe('not yet known');
      expect(group.labelCoverage).toBe(0);
      expect(group.precision).toBeNull();
    }
  });

  it('when few chargebacks have been read, then coverage comes from the prior alone', async () => {
    const stream = lateLabelStream(40, 20, () => 2 * DAY);

    const report = await reportOf(stream);

    expect(report.labelDelay).toMatchObject({ source: 'prior', learnedUpToMs: null });
    expect(report.labelDelay.chargebacks).toBeLessThan(100);
    // The prior's median, 7 days, not the 2 days these few chargebacks took.
    expect(report.labelDelay.medianMs / DAY).toBeCloseTo(7, 1);
    expect(report.cohorts[0]!.status).toBe('not yet known');
  });

  it('when the coverage threshold is 0, then every group with decisions is judged on the labels so far', async () => {
    const stream = lateLabelStream(30, 400, () => 7 * DAY);

    const report = await reportOf(stream, 0);

    expect(report.quality[2]).toMatchObject({ status: 'known', frauds: 0, recall: null });
    expect(report.quality[2]!.precision).toBe(0);
    expect(report.cohorts[0]!.ece).not.toBeNull();
    expect(report.quality[0]!.decisions).toBeGreaterThan(0);
    expect(report.streamTime! - report.labelDelay.labelTime!).toBeLessThan(6 * HOUR);
  });
});
