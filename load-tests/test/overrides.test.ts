import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../src/duration.js';
import type { LoadOptions } from '../src/options.js';
import { applyOverrides } from '../src/overrides.js';
import { scheduleDurationMs } from '../src/schedule.js';

const options: LoadOptions = {
  scenarios: {
    main: { executor: 'constant-arrival-rate', rate: 200, duration: '60s' },
    side: { executor: 'constant-arrival-rate', exec: 'explain', rate: 2, duration: '60s' },
    ramp: {
      executor: 'ramping-arrival-rate',
      startRate: 10,
      stages: [
        { target: 100, duration: '30s' },
        { target: 100, duration: '90s' },
      ],
    },
  },
};

describe('durations', () => {
  it('when written as k6 does, then they parse to milliseconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration(1.5)).toBe(1500);
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(120_000)).toBe('2m');
    expect(formatDuration(250)).toBe('250ms');
  });

  it('when malformed, then the error quotes the value and the accepted forms', () => {
    expect(() => parseDuration('10 minutes', '--duration')).toThrow(
      '--duration must look like 500ms, 30s, 2m or 1m30s',
    );
    expect(() => parseDuration('')).toThrow('must look like');
  });
});

describe('--rate and --duration overrides', () => {
  it('when --rate is given, then the first entry peaks at it and every other entry keeps its share', () => {
    const changed = applyOverrides(options, { ratePerSecond: 50 });
    expect(changed.scenarios.main).toMatchObject({ rate: 50 });
    expect(changed.scenarios.side).toMatchObject({ rate: 0.5 });
    expect(changed.scenarios.ramp).toMatchObject({
      startRate: 2.5,
      stages: [{ target: 25 }, { target: 25 }],
    });
  });

  it('when --duration is given, then every entry lasts that long and ramps keep their proportions', () => {
    const changed = applyOverrides(options, { durationMs: 12_000 });
    for (const entry of Object.values(changed.scenarios)) expect(scheduleDurationMs(entry)).toBe(12_000);
    expect(changed.scenarios.ramp).toMatchObject({ stages: [{ duration: '3s' }, { duration: '9s' }] });
  });

  it('when the first entry runs per minute, then --rate still means per second', () => {
    const perMinute: LoadOptions = {
      scenarios: { main: { executor: 'constant-arrival-rate', rate: 600, timeUnit: '1m', duration: '1m' } },
    };
    expect(applyOverrides(perMinute, { ratePerSecond: 20 }).scenarios.main).toMatchObject({ rate: 1200 });
  });

  it('when an override is zero, then it is refused', () => {
    expect(() => applyOverrides(options, { ratePerSecond: 0 })).toThrow('--rate must be above 0');
    expect(() => applyOverrides(options, { durationMs: 0 })).toThrow('--duration must be longer than 0');
  });
});
