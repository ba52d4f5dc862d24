import { describe, expect, it } from 'vitest';
import { firstSecondP99, type Sample, summarize } from '../src/benches/recs.js';

const sample = (latencyMs: number): Sample => ({
  latencyMs,
  ok: true,
  degraded: false,
  timings: [{ name: 'compute', ms: 1 }],
  sendLagMs: 0.1,
});

describe('recs rows: first_second_p99_ms', () => {
  it('when the first second was slow, then its p99 comes from the requests due in it, beside a steady p99 that hides it', () => {
    // 100 req/s for 30 s: the 100 requests due in the first second took 30..129 ms, the rest 10 ms.
    const samples = Array.from({ length: 3000 }, (_, i) => sample(i < 100 ? 30 + i : 10));

    const row = summarize(100, 30, samples);

    expect(row.first_second_p99_ms).toBe(128);
    expect(row.p95_ms).toBe(10);
    expect(row.p99_ms).toBeLessThan(row.first_second_p99_ms!);
  });

  it('when the rate is fractional or the run shorter than a second, then the requests due before 1 s count', () => {
    expect(firstSecondP99([sample(4), sample(5), sample(6)], 2.5)).toBe(6);
    expect(firstSecondP99([sample(9)], 300)).toBe(9);
    expect(firstSecondP99([], 300)).toBeNull();
  });
});
