import { describe, expect, it } from 'vitest';
import { BUILTIN_METRICS, Recorder } from '../src/metrics.js';
import { SLO } from '../src/slo.js';
import { judge, measure, parseThresholds, sloThreshold } from '../src/thresholds.js';

const kinds = { ...BUILTIN_METRICS, decision_latency: 'trend', decisions: 'counter' } as const;

describe('thresholds', () => {
  it('when written k6-style with a tag filter, then key, aggregate, operator and target are parsed', () => {
    const [t] = parseThresholds({ 'http_req_duration{scenario:recs, kind:explain}': ['p(95) < 100'] }, kinds);
    expect(t).toMatchObject({
      metric: 'latency',
      filter: { scenario: 'recs', kind: 'explain' },
      aggregate: { kind: 'percentile', p: 95 },
      op: '<',
      target: 100,
      resultName: 'p95_ms{kind:explain,scenario:recs}',
    });
  });

  it("when thresholds name trends, rates and counters, then their results carry the SLO file's metric names", () => {
    const parsed = parseThresholds(
      {
        latency: ['p(99.9)<=250', 'avg<50'],
        decision_latency: ['p(99)<50'],
        availability: ['rate>=0.999'],
        http_req_failed: ['rate<0.01'],
        decisions: ['rate>=10000', 'count>0'],
      },
      kinds,
    );
    expect(parsed.map((t) => t.resultName)).toEqual([
      'p99.9_ms',
      'avg_ms',
      'decision_p99_ms',
      'availability',
      'error_rate',
      'decisions_per_s',
      'decisions',
    ]);
  });

  it('when a threshold is malformed, then the error says which entry and what is expected', () => {
    expect(() => parseThresholds({ latencyy: ['p(95)<100'] }, kinds)).toThrow('no metric named latencyy');
    expect(() => parseThresholds({ latency: ['p95<100'] }, kinds)).toThrow('must be <aggregate><op><number>');
    expect(() => parseThresholds({ latency: ['p(95)==100'] }, kinds)).toThrow('ops: <, <=, >, >=');
    expect(() => parseThresholds({ latency: ['rate<1'] }, kinds)).toThrow(
      'latency is a trend; use avg, min, max, med or p(N)',
    );
    expect(() => parseThresholds({ availability: ['p(95)<1'] }, kinds)).toThrow(
      'availability is a rate; use rate',
    );
    expect(() => parseThresholds({ 'latency{scenario}': ['p(95)<1'] }, kinds)).toThrow('must be name:value');
  });

  it('when built from the SLO file, then the expression carries its number and operator', () => {
    expect(sloThreshold(SLO.recs.endToEndP95)).toBe('p(95)<100');
    expect(sloThreshold(SLO.fraud.decisionP99)).toBe('p(99)<50');
    expect(sloThreshold(SLO.fraud.availability)).toBe('rate>=0.999');
    expect(sloThreshold(SLO.fraud.throughput)).toBe('rate>=10000');
    expect(() => sloThreshold(SLO.recs.annRecall)).toThrow('recall_at_1000 has no load-test threshold form');
  });

  it('when judged, then each verdict uses only the samples its filter selects', () => {
    const recorder = new Recorder({ decisions: 'counter' });
    for (let ms = 1; ms <= 100; ms++) recorder.trend('latency', ms, { scenario: 'main' });
    for (let i = 0; i < 10; i++) recorder.trend('latency', 500, { scenario: 'explain' });
    for (let i = 0; i < 1000; i++) recorder.rate('availability', i !== 0);
    recorder.count('decisions', 300);
    const thresholds = parseThresholds(
      {
        'latency{scenario:main}': ['p(95)<100'],
        latency: ['p(95)<100'],
        availability: ['rate>=0.999'],
        decisions: ['rate>=100'],
      },
      kinds,
    );
    const verdicts = judge(thresholds, recorder, 2);
    expect(verdicts.map((v) => [v.metric, v.pass])).toEqual([
      ['p95_ms{scenario:main}', true],
      ['p95_ms', false],
      ['availability', true],
      ['decisions_per_s', true],
    ]);
    expect(verdicts[0]?.value).toBeCloseTo(95, 1);
    expect(verdicts[3]?.value).toBe(150);
  });

  it('when nothing matches a threshold, then its value is null and the verdict fails', () => {
    const [t] = parseThresholds({ 'latency{scenario:none}': ['p(95)<100'] }, kinds);
    const recorder = new Recorder();
    recorder.trend('latency', 5, { scenario: 'main' });
    expect(measure(t!, recorder, 1)).toBeNull();
    expect(judge([t!], recorder, 1)[0]?.pass).toBe(false);
  });
});
