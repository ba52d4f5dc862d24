import { describe, expect, it } from 'vitest';
import { MemoryLabelStore } from '../src/domain/label-store.js';
import {
  addCounts,
  calibrationOf,
  countDecision,
  emptyCounts,
  qualityOf,
} from '../src/domain/window-counts.js';
import { parseWindow } from '../src/domain/windows.js';
import { chargeback, HOUR, scenario } from './scenario.js';

const windows = {
  quality: ['1h', '24h'].map(parseWindow),
  calibration: parseWindow('24h'),
  calibrationBins: 10,
};

describe('window counts', () => {
  it('when a window is tallied in two halves and summed, then its quality and calibration equal the in-memory join', async () => {
    const rows = scenario();
    const memory = new MemoryLabelStore(windows, { pendingChargebackMs: 90 * 24 * HOUR });
    await memory.addDecisions(rows.map((r) => r.decision));
    await memory.addChargebacks(rows.filter((r) => r.fraud).map((r) => chargeback(r.decision, 0)));
    const end = rows.at(-1)!.decision.eventTime;
    const inWindow = rows.filter((r) => r.decision.eventTime > end - 24 * HOUR);
    const halves = [emptyCounts(10), emptyCounts(10)];
    inWindow.forEach((r, i) => {
      countDecision(halves[i % 2]!, r.decision.score, r.decision.decision !== 'approve', r.fraud);
    });

    addCounts(halves[0]!, halves[1]!);

    const expected = await memory.report();
    expect(qualityOf('24h', halves[0]!)).toEqual(expected.quality[1]);
    const calibration = calibrationOf(halves[0]!);
    expect(calibration.labelled).toBe(expected.calibration.labelled);
    expect(calibration.ece).toBeCloseTo(expected.calibration.ece!, 12);
    calibration.bins.forEach((bin, b) => {
      expect(bin.count).toBe(expected.calibration.bins[b]!.count);
      expect(bin.fraudRate).toBeCloseTo(expected.calibration.bins[b]!.fraudRate ?? 0, 12);
    });
  });

  it('when nothing was decided, then ratios and the ECE are null', () => {
    expect(qualityOf('1h', emptyCounts(4))).toMatchObject({ decisions: 0, precision: null, recall: null });
    expect(calibrationOf(emptyCounts(4))).toMatchObject({ labelled: 0, ece: null });
  });
});

describe('MemoryLabelStore', () => {
  it('when every decision and chargeback is delivered twice, then the report equals one delivery', async () => {
    const rows = scenario(500, 24);
    const once = new MemoryLabelStore(windows, { pendingChargebackMs: 90 * 24 * HOUR });
    const twice = new MemoryLabelStore(windows, { pendingChargebackMs: 90 * 24 * HOUR });
    const decisions = rows.map((r) => r.decision);
    const chargebacks = rows.filter((r) => r.fraud).map((r) => chargeback(r.decision, 1));

    for (const store of [once, twice]) {
      await store.addDecisions(decisions);
      await store.addChargebacks(chargebacks);
    }
    await twice.addChargebacks(chargebacks);
    await twice.addDecisions(decisions);

    expect(await twice.report()).toEqual(await once.report());
    expect((await once.report()).quality[1]!.frauds).toBe(chargebacks.length);
  });
});
