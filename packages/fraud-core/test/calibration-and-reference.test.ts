import { describe, expect, it } from 'vitest';
import { calibrate, populationStabilityIndex, referenceBin } from '../src/index.js';

describe('calibrate', () => {
  const calibration = { method: 'isotonic' as const, x: [0.1, 0.2, 0.6], y: [0.01, 0.05, 0.85] };

  it('when the raw score lies between fitted points, then the result is interpolated linearly', () => {
    expect(calibrate(calibration, 0.15)).toBeCloseTo(0.03, 12);
    expect(calibrate(calibration, 0.4)).toBeCloseTo(0.45, 12);
  });

  it('when the raw score lies outside the fitted range, then it is clipped to the end values', () => {
    expect(calibrate(calibration, 0)).toBe(0.01);
    expect(calibrate(calibration, 0.99)).toBe(0.85);
  });
});

describe('reference bins and PSI', () => {
  it('when a value equals an edge, then it falls in the bin above it (numpy searchsorted side=right)', () => {
    const edges = [0, 1, 5];
    expect([-1, 0, 0.5, 1, 4.9, 5, 100].map((v) => referenceBin(edges, v))).toEqual([0, 1, 1, 2, 2, 3, 3]);
  });

  it('when the observed distribution matches the reference, then PSI is zero, and it grows with the shift', () => {
    const reference = [0.25, 0.25, 0.5];
    expect(populationStabilityIndex(reference, [25, 25, 50])).toBe(0);
    const shifted = populationStabilityIndex(reference, [5, 15, 80]);
    // (0.05-0.25)ln(0.2) + (0.15-0.25)ln(0.6) + (0.8-0.5)ln(1.6)
    expect(shifted).toBeCloseTo(-0.2 * Math.log(0.2) - 0.1 * Math.log(0.6) + 0.3 * Math.log(1.6), 12);
    expect(shifted).toBeGreaterThan(0.2);
  });
});
