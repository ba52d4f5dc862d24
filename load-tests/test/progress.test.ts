import { describe, expect, it } from 'vitest';
import { Recorder } from '../src/metrics.js';
import { type ProgressSnapshot, progressLine, startProgress } from '../src/progress.js';

const snapshot = (lastSecond: ProgressSnapshot['lastSecond']): ProgressSnapshot => ({
  name: 'recs-steady',
  elapsedS: 12,
  totalS: 60,
  ratePerS: 200,
  inFlight: 3,
  p95Ms: 4.1,
  lastSecond,
  errors: 0,
  completed: 2400,
  dropped: 0,
  cpuShare: 0.12,
});

describe('the progress line', () => {
  it('when iterations completed in the last second, then it carries their p50/p95/p99', () => {
    expect(progressLine(snapshot({ p50Ms: 2.04, p95Ms: 8.16, p99Ms: 12 }))).toBe(
      '[recs-steady]    12s/60s  rate   200/s  in-flight    3  p95 4.1 ms  last 1s p50/p95/p99 2.0/8.2/12.0 ms  errors 0 (0.00 %)  cpu 12 %',
    );
  });

  it('when none completed in the last second, then it says so instead of repeating older figures', () => {
    expect(progressLine(snapshot(null))).toContain('p95 4.1 ms  last 1s -  errors 0');
  });
});

describe('the recorder window behind the live percentiles', () => {
  it('when the window is taken, then it holds the latencies since the last take and starts again empty', () => {
    const recorder = new Recorder();
    for (const ms of [1, 2, 3, 100]) recorder.trend('latency', ms, {}, 0);
    recorder.trend('send_latency', 500, {}, 0);
    const first = recorder.takeRecentLatency();
    expect(first?.totalCount).toBe(4);
    expect(recorder.takeRecentLatency()).toBeUndefined();
    recorder.trend('latency', 7, {}, 1500);
    expect(recorder.takeRecentLatency()?.totalCount).toBe(1);
    // The run's own figures are not affected by the live window.
    expect(recorder.histogram('latency')?.totalCount).toBe(5);
  });

  it('when the progress ticks, then each line reports only what completed since the previous line', async () => {
    const recorder = new Recorder();
    const lines: string[] = [];
    let elapsed = 0;
    const stop = startProgress(
      recorder,
      () => 0,
      { name: 'x', totalS: 10, elapsedS: () => elapsed },
      (l) => lines.push(l),
    );
    try {
      for (const ms of [10, 10, 10, 10]) recorder.trend('latency', ms, {}, 0);
      elapsed = 1;
      await expect.poll(() => lines.length, { timeout: 3000, interval: 50 }).toBe(1);
      elapsed = 2;
      await expect.poll(() => lines.length, { timeout: 3000, interval: 50 }).toBe(2);
    } finally {
      stop();
    }
    expect(lines[0]).toMatch(/last 1s p50\/p95\/p99 10\.\d\/10\.\d\/10\.\d ms/);
    expect(lines[1]).toContain('last 1s -');
  });
});
