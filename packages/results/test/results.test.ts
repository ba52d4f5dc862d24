import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildResult, evaluate, percentile, renderTable, writeResult } from '../src/index.js';

describe('results contract', () => {
  it('when a metric meets or misses its target, then the verdicts and the overall pass follow', () => {
    const result = buildResult({
      name: 'demo',
      startedAt: new Date('2026-01-01T00:00:00Z'),
      params: { rate: 100 },
      metrics: { p95_ms: 41.2, recall: 0.9 },
      slo: [
        { metric: 'p95_ms', op: '<', target: 100 },
        { metric: 'recall', op: '>=', target: 0.95 },
      ],
    });
    expect(result.slo.map((s) => [s.metric, s.value, s.pass])).toEqual([
      ['p95_ms', 41.2, true],
      ['recall', 0.9, false],
    ]);
    expect(result.pass).toBe(false);
    expect(result.host.cpus).toBeGreaterThan(0);
  });

  it('when a targeted metric is missing, then its verdict fails rather than passing silently', () => {
    expect(evaluate({ metric: 'p99_ms', op: '<', target: 50 }, undefined)).toEqual({
      metric: 'p99_ms',
      op: '<',
      target: 50,
      value: null,
      pass: false,
    });
  });

  it('when written, then the JSON round-trips and the table shows each SLO line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'results-'));
    const result = buildResult({
      name: 'demo',
      startedAt: new Date(),
      params: {},
      metrics: { p95_ms: 12.5 },
      slo: [{ metric: 'p95_ms', op: '<', target: 100 }],
    });
    const printed: string[] = [];
    writeResult(join(dir, 'demo.json'), result, (line) => printed.push(line));
    expect(JSON.parse(readFileSync(join(dir, 'demo.json'), 'utf8'))).toEqual(result);
    expect(renderTable(result)).toContain('PASS  p95_ms < 100  (measured 12.50)');
    expect(printed.join('\n')).toContain('demo.json');
  });

  it('when asked for percentiles, then nearest-rank values come back', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([], 50)).toBeNaN();
  });
});
