import { describe, expect, it } from 'vitest';
import { MemoryLabelStore } from '../src/domain/label-store.js';
import {
  addCounts,
  calibrationOf,
  countDecision,
  emptyCounts,
  maturityOf,
  qualityOf,
} from '../src/domain/window-counts.js';
import { parseCohorts, parseWindow } from '../src/domain/windows.js';
import { chargeback, DAY, maturity, scenario } from './scenario.js';

const windows = {
  quality: ['1h', '24h'].map(parseWindow),
  calibration: parseWindow('24h'),
  calibrationBins: 10,
  cohorts: parseCohorts(['1d', '2d']),
};
const options = { labelHorizonMs: 90 * DAY, maturity: maturity(0) };

describe('window counts', () => {
  it('when a window is tallied in two halves and summed, then its quality and calibration equal the in-memory join', async () => {
    const rows = scenario();
    const memory = new MemoryLabelStore(windows, options);
    await memory.addDecisions(rows.map((r) => r.decision));
    await memory.addChargebacks(rows.filter((r) => r.fraud).map((r) => chargeback(r.decision, 0)));
    const end = rows.at(-1)!.decision.eventTime;
    const inWindow = rows.filter((r) => r.decision.eventTime > end - DAY);
    const halves = [emptyCounts(10), emptyCounts(10)];
    inWindow.forEach((r, i) => {
      // The chargebacks' label time (0) is before every decision: nothing is covered.
      countDecision(halves[i % 2]!, r.decision.score, r.decision.decision !== 'approve', r.fraud, 0);
    });

    addCounts(halves[0]!, halves[1]!);

    const expected = await memory.report();
    expect(qualityOf('24h', halves[0]!, 0)).toEqual(expected.quality[1]);
    const calibration = calibrationOf(halves[0]!, 0);
    expect(calibration.labelled).toBe(expected.calibration.labelled);
    expect(calibration.ece).toBeCloseTo(expected.calibration.ece!, 12);
    calibration.bins.forEach((bin, b) => {
      expect(bin.count).toBe(expected.calibration.bins[b]!.count);
      expect(bin.fraudRate).toBeCloseTo(expected.calibration.bins[b]!.fraudRate ?? 0, 12);
    });
  });

  it('when nothing was decided, then ratios, the ECE and the coverage are null', () => {
    expect(qualityOf('1h', emptyCounts(4), 0.8)).toMatchObject({
      decisions: 0,
      precision: null,
      recall: null,
      labelCoverage: null,
      status: 'no decisions',
    });
    expect(calibrationOf(emptyCounts(4), 0.8)).toMatchObject({
      labelled: 0,
      ece: null,
      status: 'no decisions',
    });
  });

  it('when the coverage is below the threshold, then precision, recall, fraud rates and ECE are null, counts are kept', () => {
    const counts = emptyCounts(4);
    countDecision(counts, 0.9, true, true, 0.9);
    countDecision(counts, 0.1, false, false, 0.5);

    expect(maturityOf(counts, 0.8)).toEqual({ labelCoverage: 0.7, status: 'not yet known' });
    expect(qualityOf('7d', counts, 0.8)).toMatchObject({
      decisions: 2,
      flagged: 1,
      frauds: 1,
      truePositives: 1,
      precision: null,
      recall: null,
    });
    const calibration = calibrationOf(counts, 0.8);
    expect(calibration.ece).toBeNull();
    expect(calibration.bins[3]).toMatchObject({ count: 1, meanScore: 0.9, fraudRate: null });
    expect(qualityOf('7d', counts, 0.7)).toMatchObject({ status: 'known', precision: 1, recall: 1 });
  });
});

describe('MemoryLabelStore', () => {
  it('when every decision and chargeback is delivered twice, then the report equals one delivery', async () => {
    const rows = scenario(500, 24);
    const once = new MemoryLabelStore(windows, options);
    const twice = new MemoryLabelStore(windows, options);
    const decisions = rows.map((r) => r.decision);
    const chargebacks = rows
      .filter((r) => r.fraud)
      .map((r) => chargeback(r.decision, r.decision.eventTime + DAY));

    for (const store of [once, twice]) {
      await store.addDecisions(decisions);
      await store.addChargebacks(chargebacks);
    }
    await twice.addChargebacks(chargebacks);
    await twice.addDecisions(decisions);

    expect(await twice.report()).toEqual(await once.report());
    expect((await once.report()).quality[1]!.frauds).toBe(chargebacks.length);
    expect((await once.report()).labelDelay.chargebacks).toBe(chargebacks.length);
  });
});
