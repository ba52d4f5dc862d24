import { describe, expect, it } from 'vitest';
import { arrivals, expectedIterations, peakRate, scheduleDurationMs } from '../src/schedule.js';

describe('arrival schedules', () => {
  it('when the rate is constant, then starts are evenly spaced from 0 and stop before the end', () => {
    const entry = { executor: 'constant-arrival-rate', rate: 10, duration: '1s' } as const;
    expect([...arrivals(entry)]).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(expectedIterations(entry)).toBe(10);
  });

  it('when the time unit is a minute, then the rate counts per minute', () => {
    const entry = { executor: 'constant-arrival-rate', rate: 120, timeUnit: '1m', duration: '3s' } as const;
    expect([...arrivals(entry)]).toEqual([0, 500, 1000, 1500, 2000, 2500]);
  });

  it('when the rate ramps linearly from 0, then the i-th start solves the quadratic exactly', () => {
    // 0 -> 10/s over 2 s: arrivals(t) = 2.5 t^2 (t in s), so the i-th start is at sqrt(i / 2.5) s.
    const entry = {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      stages: [{ target: 10, duration: '2s' }],
    } as const;
    const starts = [...arrivals(entry)];
    expect(starts).toHaveLength(10);
    for (const [i, t] of starts.entries()) expect(t).toBeCloseTo(Math.sqrt(i / 2.5) * 1000, 6);
  });

  it('when stages ramp up, hold and ramp down, then each stretch gets its area of starts in order', () => {
    const entry = {
      executor: 'ramping-arrival-rate',
      startRate: 10,
      stages: [
        { target: 30, duration: '1s' }, // 20 starts
        { target: 30, duration: '2s' }, // 60 starts
        { target: 0, duration: '1s' }, // 15 starts
      ],
    } as const;
    const starts = [...arrivals(entry)];
    expect(starts).toHaveLength(95);
    expect(expectedIterations(entry)).toBe(95);
    expect(starts.filter((t) => t < 1000)).toHaveLength(20);
    expect(starts.filter((t) => t >= 1000 && t < 3000)).toHaveLength(60);
    // During the hold, starts are exactly 1/30 s apart.
    expect(starts[21]! - starts[20]!).toBeCloseTo(1000 / 30, 6);
    expect(starts.every((t, i) => i === 0 || t > starts[i - 1]!)).toBe(true);
    expect(Math.max(...starts)).toBeLessThan(4000);
    expect(scheduleDurationMs(entry)).toBe(4000);
    expect(peakRate(entry)).toBe(30);
  });

  it('when a stage list is empty or a rate negative, then the error names the field', () => {
    expect(() => [...arrivals({ executor: 'ramping-arrival-rate', stages: [] }, 'scenarios.x')]).toThrow(
      'scenarios.x.stages is empty',
    );
    expect(() => [
      ...arrivals({ executor: 'constant-arrival-rate', rate: -1, duration: '1s' }, 'scenarios.y'),
    ]).toThrow('scenarios.y.rate must be a rate >= 0');
  });
});
