import { describe, expect, it } from 'vitest';
import { judgeGenerator } from '../src/generator-health.js';
import { DEFAULT_GENERATOR_LIMITS } from '../src/options.js';

const calm = { eventLoopP99Ms: 2, eventLoopMaxMs: 8, cpuShareMean: 0.3, cpuShareMax: 0.5 };
const onTime = { offered: 1000, started: 1000, lateStarts: 0, dropped: 0, startDelayP99Ms: 1.2 };

describe('generator health', () => {
  it('when the generator kept the schedule with time to spare, then the run is valid', () => {
    expect(judgeGenerator(calm, onTime, DEFAULT_GENERATOR_LIMITS)).toEqual({ valid: true, reasons: [] });
  });

  it('when iterations were dropped, then the run is invalid and the reason says what to change', () => {
    const verdict = judgeGenerator(calm, { ...onTime, started: 990, dropped: 10 }, DEFAULT_GENERATOR_LIMITS);
    expect(verdict.valid).toBe(false);
    expect(verdict.reasons[0]).toMatch(
      /^10 of 1000 iterations \(1\.0 %\) were dropped.*raise maxVUs or lower the rate$/,
    );
  });

  it('when starts were late, the loop lagged or the CPU was saturated, then each is a reason', () => {
    const verdict = judgeGenerator(
      { eventLoopP99Ms: 60, eventLoopMaxMs: 200, cpuShareMean: 0.97, cpuShareMax: 1 },
      { ...onTime, lateStarts: 50, startDelayP99Ms: 45 },
      DEFAULT_GENERATOR_LIMITS,
    );
    expect(verdict.valid).toBe(false);
    expect(verdict.reasons).toHaveLength(3);
    expect(verdict.reasons[0]).toContain(
      '5.0 % of starts were more than 10 ms late (p99 start delay 45.0 ms)',
    );
    expect(verdict.reasons[1]).toContain('event loop was delayed 60.0 ms at p99 (limit 25 ms)');
    expect(verdict.reasons[2]).toContain('97.0 % of a core on average (limit 90.0 %)');
  });

  it('when a few starts are late but within the allowed share, then the run stays valid', () => {
    expect(judgeGenerator(calm, { ...onTime, lateStarts: 10 }, DEFAULT_GENERATOR_LIMITS).valid).toBe(true);
  });
});
