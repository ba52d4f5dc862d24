import { buildResult } from '@mlsys/results';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../src/report/html.js';
import { lineChart } from '../src/report/svg-chart.js';

const timeline = {
  seconds: [0, 1, 2],
  offered: [10, 10, 10],
  completed: [10, 10, 10],
  errors: [0, 1, 0],
  dropped: [0, 0, 0],
  trends: { latency: { p50: [10, 12, null], p95: [40, 45, null], p99: [90, 140, null] } },
};

function result(pass: boolean) {
  return buildResult({
    name: 'recs-<steady>',
    startedAt: new Date('2026-01-01T00:00:00Z'),
    params: { target: 'http://127.0.0.1:8080' },
    metrics: {
      p95_ms: 45,
      availability: 0.99,
      timeline,
      generator: { valid: pass, reasons: pass ? [] : ['starts were late'], cpu_mean_pct: 12 },
      error_reasons: { 'status 503': 1 },
    },
    slo: [
      { metric: 'p95_ms', op: '<', target: 100 },
      { metric: 'availability', op: '>=', target: 0.999 },
    ],
  });
}

describe('HTML report', () => {
  it('when rendered, then it is self-contained with a verdict per threshold and the SLO drawn on the latency chart', () => {
    const html = renderHtml(result(true));
    expect(html).not.toMatch(/<script|<link|src=|href="http/);
    expect(html).toContain('recs-&lt;steady&gt;');
    expect(html).toMatch(/<span class="badge pass">PASS<\/span><\/td><td>p95_ms<\/td>/);
    expect(html).toMatch(/<span class="badge fail">FAIL<\/span><\/td><td>availability<\/td>/);
    expect(html).toContain('SLO p95_ms &lt; 100 ms');
    expect(html).toContain('status 503');
    expect((html.match(/<svg/g) ?? []).length).toBe(2); // latency over time + throughput
  });

  it('when the generator was the bottleneck, then the page says the run is invalid and why', () => {
    const html = renderHtml(result(false));
    expect(html).toContain('INVALID RUN');
    expect(html).toContain('starts were late');
  });

  it('when a series has a gap, then the line breaks there instead of joining across it', () => {
    const svg = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'p50',
          color: '#000',
          points: [
            [0, 1],
            [1, 2],
            [2, null],
            [3, 4],
            [4, 5],
          ],
        },
      ],
    });
    expect(svg.match(/<path /g)).toHaveLength(2);
  });
});
