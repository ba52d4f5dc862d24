import { describe, expect, it } from 'vitest';
import {
  compareRow,
  inBand,
  measuredCapacity,
  type Observed,
  type RowInput,
  ratio,
  summarise,
} from '../src/validation/compare.js';

const observed = (p95: number, p99: number, share = 0.01): Observed => ({
  p50_ms: 10,
  p95_ms: p95,
  p99_ms: p99,
  share,
});
const row = (
  rate: number,
  predicted: Observed | null,
  measured: Observed,
  calibration = false,
): RowInput => ({
  rate,
  measuredFrom: `x.json#rows[rate=${rate}]`,
  calibration,
  predicted,
  measured,
  diagnostics: {},
});

describe('one row, predicted against measured', () => {
  it('when the prediction equals the measurement, then every ratio is 1 and p95 and p99 are in band', () => {
    const r = compareRow(row(50, observed(20, 40), observed(20, 40)), 100);
    expect(r.ratio).toEqual({ p50: 1, p95: 1, p99: 1, share: 1 });
    expect(r.in_band).toEqual({ p95: true, p99: true });
    expect(r.share_difference).toBe(0);
  });

  it('when a ratio is exactly 0.8 or 1.25, then it is in band; just outside, it is not', () => {
    expect(inBand(ratio(16, 20))).toBe(true);
    expect(inBand(ratio(25, 20))).toBe(true);
    expect(inBand(ratio(15.9, 20))).toBe(false);
    expect(inBand(ratio(25.1, 20))).toBe(false);
  });

  it('when the measured share is zero, then its ratio is null and the difference is still given', () => {
    const r = compareRow(row(50, observed(20, 40, 0.002), observed(20, 40, 0)), 100);
    expect(r.ratio.share).toBeNull();
    expect(r.share_difference).toBe(0.002);
  });

  it('when the model gives no prediction, then the row is judged and both ratios are out of band', () => {
    const r = compareRow(row(50, null, observed(20, 40)), 100);
    expect(r.judged).toBe(true);
    expect(r.ratio.p99).toBeNull();
    expect(r.in_band).toEqual({ p95: false, p99: false });
  });

  it('when a prediction is infinite (a queue past saturation), then it is written as null, not Infinity', () => {
    const r = compareRow(row(50, observed(Number.POSITIVE_INFINITY, 40), observed(20, 40)), 100);
    expect(r.predicted).toBeNull();
    expect(JSON.stringify(r)).not.toContain('Infinity');
  });

  it('when a row runs past 80 % of measured capacity, then it is reported but not judged', () => {
    expect(compareRow(row(80, null, observed(20, 40)), 100)).toMatchObject({
      capacity_fraction: 0.8,
      judged: true,
    });
    expect(compareRow(row(81, null, observed(20, 40)), 100)).toMatchObject({
      capacity_fraction: 0.81,
      judged: false,
    });
  });
});

describe('measured capacity', () => {
  it('when a lower rate fell back more than a higher one, then the capacity is still the highest rate under the limit', () => {
    const rows = [
      { rate: 100, fallbackShare: 0.01 },
      { rate: 150, fallbackShare: 0.04 },
      { rate: 200, fallbackShare: 0.03 },
      { rate: 250, fallbackShare: 0.07 },
    ];
    expect(measuredCapacity(rows, 0.05)).toBe(200);
  });

  it('when every row fell back too often, then there is no capacity and no row is judged', () => {
    expect(measuredCapacity([{ rate: 100, fallbackShare: 0.5 }], 0.05)).toBeNull();
    const r = compareRow(row(100, observed(20, 40), observed(20, 40)), null);
    expect(r).toMatchObject({ capacity_fraction: null, judged: false });
  });
});

describe('the summary', () => {
  const rows = [
    compareRow(row(25, observed(20, 40), observed(20, 40)), 100),
    compareRow(row(50, observed(30, 40), observed(20, 40), true), 100),
    compareRow(row(75, observed(20, 10), observed(20, 40)), 100),
    compareRow(row(150, observed(1, 1), observed(20, 40)), 100),
  ];

  it('when three rows are judged, then six ratios count, and the row past 80 % is not among them', () => {
    const { all } = summarise([{ design: 'd', rows }]);
    expect(all).toEqual({ ratios_judged: 6, ratios_in_band: 4, share_in_band: 0.667 });
  });

  it('when the calibration row is left out, then only out-of-sample ratios count', () => {
    const { outOfSample } = summarise([{ design: 'd', rows }]);
    expect(outOfSample).toEqual({ ratios_judged: 4, ratios_in_band: 3, share_in_band: 0.75 });
  });

  it('when ratios miss, then each is listed and the worst is the one farthest from 1', () => {
    const { misses, worst } = summarise([{ design: 'd', rows }]);
    expect(misses.map((m) => `${m.rate} ${m.percentile} ${m.ratio}`)).toEqual(['50 p95 1.5', '75 p99 0.25']);
    expect(worst).toMatchObject({ design: 'd', rate: 75, percentile: 'p99', ratio: 0.25 });
  });

  it('when nothing is judged, then the share is null rather than a pass', () => {
    expect(summarise([{ design: 'd', rows: [] }]).all.share_in_band).toBeNull();
  });
});
