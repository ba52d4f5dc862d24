import { describe, expect, it } from 'vitest';
import {
  type DelayOptions,
  delayDay,
  delayDayCount,
  delayQuantile,
  estimateDelay,
  paymentDay,
  shareBy,
} from '../src/domain/label-delay.js';
import { DAY, logNormalDelays, T0 } from './scenario.js';

const HORIZON = 90 * DAY;
const options = (medianDays: number, spread: number): DelayOptions => ({
  prior: { medianMs: medianDays * DAY, spread },
  horizonMs: HORIZON,
  minChargebacks: 100,
});

/** Standard normal CDF by the midpoint rule, independent of the implementation's approximation. */
function normalCdf(x: number): number {
  let sum = 0;
  const steps = 20_000;
  const from = -10;
  const width = (x - from) / steps;
  for (let i = 0; i < steps; i++) {
    const z = from + (i + 0.5) * width;
    sum += Math.exp((-z * z) / 2) * width;
  }
  return sum / Math.sqrt(2 * Math.PI);
}
const logNormalShare = (days: number) => normalCdf(Math.log(days / 7) / 0.6);

/**
 * Payments over `days` days, `frauds` a day, each charged back after a
 * log-normal delay (median 7 days); counted as a monitor would have them at
 * the end: only the chargebacks reported by then.
 */
function arrivedDelays(days: number, frauds: number) {
  const draw = logNormalDelays(7, 0.6);
  const end = T0 + days * DAY;
  const counts = new Map<number, number[]>();
  const arrived: number[] = [];
  for (let i = 0; i < days * frauds; i++) {
    const eventTime = T0 + Math.floor((i / (days * frauds)) * days * DAY);
    const reportedAt = eventTime + Math.min(draw(), HORIZON);
    if (reportedAt > end) continue;
    const byDelay = counts.get(paymentDay(eventTime)) ?? new Array<number>(delayDayCount(HORIZON)).fill(0);
    byDelay[delayDay({ eventTime, reportedAt }, HORIZON)]! += 1;
    counts.set(paymentDay(eventTime), byDelay);
    arrived.push(reportedAt - eventTime);
  }
  return { counts, end, arrived };
}

describe('the chargeback delay distribution', () => {
  it('when the stream is younger than its longest delays, then the learned shares match the true ones where a naive count of the delays that arrived overstates them', () => {
    const { counts, end, arrived } = arrivedDelays(40, 150);
    // A prior far from the truth: what is learned must come from the data.
    const delay = estimateDelay(counts, end, options(2, 0.3));

    expect(delay.source).toBe('learned');
    expect(delay.chargebacks).toBe(arrived.length);
    for (const days of [3, 7, 14]) {
      expect(Math.abs(shareBy(delay, days * DAY) - logNormalShare(days))).toBeLessThan(0.02);
    }
    for (const days of [7, 14]) {
      const naive = arrived.filter((ms) => ms <= days * DAY).length / arrived.length;
      expect(naive - logNormalShare(days)).toBeGreaterThan(0.03);
    }
  });

  it('when too few chargebacks have been read, then the prior is used alone', () => {
    const { counts, end } = arrivedDelays(30, 3);

    const delay = estimateDelay(counts, end, options(7, 0.6));

    expect(delay).toMatchObject({ source: 'prior', learnedUpToMs: null });
    expect(shareBy(delay, 7 * DAY)).toBeCloseTo(0.5, 4);
    expect(shareBy(delay, 14 * DAY)).toBeCloseTo(logNormalShare(14), 4);
    expect(delayQuantile(delay, 0.5) / DAY).toBeCloseTo(7, 3);
  });

  it('when no chargeback has been read, then the prior is used and it reaches every chargeback by the horizon', () => {
    const delay = estimateDelay(new Map(), null, options(7, 0.6));

    expect(delay).toMatchObject({ source: 'prior', chargebacks: 0 });
    expect(shareBy(delay, 0)).toBe(0);
    expect(shareBy(delay, HORIZON)).toBe(1);
    expect(shareBy(delay, HORIZON + DAY)).toBe(1);
  });

  it('when a delay is counted, then it is in whole days from 0 to the horizon', () => {
    expect(delayDay({ eventTime: T0, reportedAt: T0 + 7 * DAY - 1 }, HORIZON)).toBe(6);
    expect(delayDay({ eventTime: T0, reportedAt: T0 - DAY }, HORIZON)).toBe(0);
    expect(delayDay({ eventTime: T0, reportedAt: T0 + 400 * DAY }, HORIZON)).toBe(90);
  });
});
