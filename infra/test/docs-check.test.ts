import { valueAt } from '@mlsys/results';
import { describe, expect, it } from 'vitest';
import { scanMarkdown } from '../src/docs-check/figures.js';

const results: Record<string, unknown> = {
  'bench/results/recs.json': {
    pass: true,
    metrics: {
      p95_ms_at_100_rps: 28.29,
      degraded_share_at_100_rps: 0.0115,
      rates: [
        { rate: 50, p95_ms: 18.31 },
        { rate: 100, p95_ms: 28.29 },
      ],
    },
  },
  'bench/results/fraud.json': {
    pass: false,
    metrics: {
      throughput_tps: 9953,
      decision_p99_ms: 2165,
      rows: [{ mode: 'pipeline', offered_tps: 2500, p99_ms: 398 }],
    },
  },
};
const read = (path: string) => {
  if (!(path in results)) throw new Error('no such results file');
  return results[path];
};
const scan = (markdown: string) => scanMarkdown(markdown, read);
const messages = (markdown: string) => scan(markdown).problems.map((p) => p.message);

describe('valueAt', () => {
  it('when a selector names an element by its fields, then that element is read', () => {
    expect(valueAt(results['bench/results/recs.json'], 'metrics.rates[rate=100].p95_ms')).toBe(28.29);
    expect(valueAt(results['bench/results/recs.json'], 'metrics.rates[0].p95_ms')).toBe(18.31);
  });

  it('when a selector matches no element, then it says so', () => {
    expect(() => valueAt(results['bench/results/recs.json'], 'metrics.rates[rate=75].p95_ms')).toThrow(
      'matches 0 elements',
    );
  });
});

describe('scanMarkdown', () => {
  it('when a figure agrees with its results file to the digits shown, then there is no problem', () => {
    const result = scan(
      [
        '<!-- results: bench/results/recs.json -->',
        'p95 28.3 ms<!-- fig: metrics.p95_ms_at_100_rps --> at 100 req/s, 1.1 %<!-- fig: metrics.degraded_share_at_100_rps *100 --> degraded',
        '| 50 | 18.3 ms<!-- fig: metrics.rates[rate=50].p95_ms --> |',
        '9,953<!-- fig: bench/results/fraud.json#metrics.throughput_tps --> decided, p99 2.2 s<!-- fig: bench/results/fraud.json#metrics.decision_p99_ms /1000 -->',
      ].join('\n'),
    );
    expect(result.problems).toEqual([]);
    expect(result.checked).toBe(5);
    expect([...result.sources].sort()).toEqual(['bench/results/fraud.json', 'bench/results/recs.json']);
  });

  it('when a figure differs from its source, then the problem names the file, the path and the value', () => {
    expect(messages('p95 116 ms<!-- fig: bench/results/recs.json#metrics.p95_ms_at_100_rps -->')).toEqual([
      '116 differs from bench/results/recs.json#metrics.p95_ms_at_100_rps = 28.29',
    ]);
  });

  it('when a figure is rounded coarser than its source, then it still agrees; finer and wrong, it does not', () => {
    expect(messages('28 ms<!-- fig: bench/results/recs.json#metrics.p95_ms_at_100_rps -->')).toEqual([]);
    expect(messages('28.2 ms<!-- fig: bench/results/recs.json#metrics.p95_ms_at_100_rps -->')).toHaveLength(
      1,
    );
  });

  it('when a measured-looking figure has no marker, then it is a problem', () => {
    const found = messages(
      'p95 28.3 ms at 100 req/s; recall 0.960; 9,953 decided; 1.43x faster; _0.871_; 3.4e-7',
    );
    expect(found).toHaveLength(6);
    expect(found[0]).toContain('"28.3 ms');
  });

  it('when a number is a setting, a target, a name or round, then it needs no marker', () => {
    const text = [
      'SLO: p95 < 100 ms, decisions under 50 ms, at least 0.95 recall; windows 1h/24h/7d; Kafka 3.9.1',
      'rec-api on port 8080, 10,000 tx/s, top 1000, section 4.6, p99 at ef=1200, 2026-03-01, a 30 s run',
      'the buffer is 768 KiB<!-- given -->, the `CHECKPOINT_INTERVAL_MS` default `30000` ms',
      '```',
      'p95 28.3 ms inside a code block',
      '```',
      '<!-- docs-check off -->',
      '| quoted | 46.2 ms |',
      '<!-- docs-check on -->',
    ].join('\n');
    expect(messages(text)).toEqual([]);
  });

  it('when "met" or "not met" contradicts the results file, then it is a problem', () => {
    expect(messages('10,000 tx/s: **met**<!-- pass: bench/results/fraud.json#pass -->')).toEqual([
      'says "met" but bench/results/fraud.json#pass is false',
    ]);
    expect(messages('10,000 tx/s: **not met**<!-- pass: bench/results/fraud.json#pass -->')).toEqual([]);
  });

  it('when a marker names a file that is not there, then the problem says so', () => {
    expect(messages('p99 46.4 ms<!-- fig: load-tests/reports/fraud-http.json#metrics.p99_ms -->')).toEqual([
      '46.4: load-tests/reports/fraud-http.json: no such results file',
    ]);
  });

  it('when a marker has no results file to read, then the problem says how to name one', () => {
    expect(messages('p95 28.3 ms<!-- fig: metrics.p95_ms_at_100_rps -->')[0]).toContain('no results file');
  });
});
