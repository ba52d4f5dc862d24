import { describe, expect, it } from 'vitest';
import {
  lognormalCv2,
  lognormalFromMeanP95,
  lognormalFromP50P99,
  lognormalMean,
  lognormalQuantile,
  normalQuantile,
  seededUniform,
} from '../src/distributions.js';

describe('distributions', () => {
  it('when asked for standard normal quantiles, then they match the tables', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.99)).toBeCloseTo(2.326348, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 6);
  });

  it('when a lognormal is fitted to a mean and a p95, then it gives them back', () => {
    const d = lognormalFromMeanP95(4, 9);
    expect(lognormalMean(d)).toBeCloseTo(4, 9);
    expect(lognormalQuantile(d, 0.95)).toBeCloseTo(9, 9);
  });

  it('when a lognormal is fitted to a p50 and a p99, then it gives them back', () => {
    const d = lognormalFromP50P99(3.8, 9.4);
    expect(lognormalQuantile(d, 0.5)).toBeCloseTo(3.8, 9);
    expect(lognormalQuantile(d, 0.99)).toBeCloseTo(9.4, 9);
  });

  it('when the p95 is not above the mean, then the fit is a constant (cs² = 0)', () => {
    const d = lognormalFromMeanP95(5, 5);
    expect(lognormalCv2(d)).toBe(0);
    expect(lognormalQuantile(d, 0.99)).toBeCloseTo(5, 9);
  });

  it('when seeded twice alike, then the draws are the same and inside (0, 1)', () => {
    const a = seededUniform(7);
    const b = seededUniform(7);
    for (let i = 0; i < 1000; i++) {
      const u = a();
      expect(u).toBe(b());
      expect(u).toBeGreaterThan(0);
      expect(u).toBeLessThan(1);
    }
  });
});
