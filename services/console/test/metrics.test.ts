import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { MetricsScraper } from '../src/adapters/metrics-scraper.js';
import { parsePrometheusText, seriesKey } from '../src/domain/prometheus.js';
import { histogramQuantile, ScrapeHistory } from '../src/domain/scrape-history.js';

const exposition = `# HELP http_request_duration_seconds HTTP request latency
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.01",method="GET",route="/a",status_code="200",service="x"} 3
http_request_duration_seconds_bucket{le="0.1",method="GET",route="/a",status_code="200",service="x"} 9
http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/a",status_code="200",service="x"} 10
http_request_duration_seconds_sum{method="GET",route="/a",status_code="200",service="x"} 0.42
http_request_duration_seconds_count{method="GET",route="/a",status_code="200",service="x"} 10
weird_total{path="a \\"quoted\\" \\\\ back\\nslash"} 1e3
nodejs_heap NaN
`;

/** A histogram exposition with the given cumulative bucket counts for le 0.01, 0.1, +Inf. */
const histogram = (counts: [number, number, number], status = '200') =>
  [
    `h_bucket{le="0.01",status_code="${status}"} ${counts[0]}`,
    `h_bucket{le="0.1",status_code="${status}"} ${counts[1]}`,
    `h_bucket{le="+Inf",status_code="${status}"} ${counts[2]}`,
    `h_count{status_code="${status}"} ${counts[2]}`,
  ].join('\n');

describe('the Prometheus text format', () => {
  it('when prom-client text is parsed, then every sample comes back with its labels and value', () => {
    const samples = parsePrometheusText(exposition);

    expect(samples).toHaveLength(7);
    expect(samples[2]).toEqual({
      name: 'http_request_duration_seconds_bucket',
      labels: { le: '+Inf', method: 'GET', route: '/a', status_code: '200', service: 'x' },
      value: 10,
    });
    expect(samples[5]).toEqual({
      name: 'weird_total',
      labels: { path: 'a "quoted" \\ back\nslash' },
      value: 1000,
    });
    expect(samples[6]!.value).toBeNaN();
  });

  it('when a line is malformed, then the error names the line', () => {
    expect(() => parsePrometheusText('ok 1\nbad{le="1" 2')).toThrow(/line 2/);
    expect(() => parsePrometheusText('x abc')).toThrow(/line 1: "abc" is not a number/);
  });

  it('when two samples differ only in label order, then their series key is the same', () => {
    expect(seriesKey({ name: 'm', labels: { a: '1', b: '2' } })).toBe(
      seriesKey({ name: 'm', labels: { b: '2', a: '1' } }),
    );
  });
});

describe('windowed numbers from successive scrapes', () => {
  it('when a counter grows between scrapes, then the increase and rate cover the window', () => {
    const history = new ScrapeHistory(60_000);
    history.record(0, parsePrometheusText('c_total 10'));
    history.record(10_000, parsePrometheusText('c_total 30'));
    history.record(20_000, parsePrometheusText('c_total 50'));

    expect(history.increase({ metric: 'c_total' })).toBe(40);
    expect(history.rate({ metric: 'c_total' })).toBe(2);
  });

  it('when the service restarts and its counter starts over, then the increase counts from zero, not negative', () => {
    const history = new ScrapeHistory(60_000);
    history.record(0, parsePrometheusText('c_total 100'));
    history.record(10_000, parsePrometheusText('c_total 120'));
    history.record(20_000, parsePrometheusText('c_total 5'));

    expect(history.increase({ metric: 'c_total' })).toBe(25);
  });

  it('when a series first appears (the first 500), then it counts from zero', () => {
    const history = new ScrapeHistory(60_000);
    history.record(0, parsePrometheusText(histogram([1, 1, 1])));
    history.record(5_000, parsePrometheusText(`${histogram([2, 2, 2])}\n${histogram([0, 3, 3], '500')}`));

    expect(history.increase({ metric: 'h', labels: { status_code: { re: '5..' } } }, 'h_count')).toBe(3);
    expect(history.increase({ metric: 'h' }, 'h_count')).toBe(4);
  });

  it('when scrapes age out of the window, then the one just before it stays as the base', () => {
    const history = new ScrapeHistory(30_000);
    for (let t = 0; t <= 100_000; t += 10_000) history.record(t, parsePrometheusText(`c_total ${t / 1000}`));

    expect(history.spanSeconds()).toBe(30);
    expect(history.increase({ metric: 'c_total' })).toBe(30);
  });

  it('when buckets increase, then the windowed quantiles interpolate inside the right bucket', () => {
    const history = new ScrapeHistory(60_000);
    history.record(0, parsePrometheusText(histogram([100, 100, 100])));
    // 10 new requests: 4 under 10 ms, 5 between 10 and 100 ms, 1 slower.
    history.record(10_000, parsePrometheusText(histogram([104, 109, 110])));
    const buckets = history.bucketIncreases({ metric: 'h' });

    expect(buckets).toEqual([
      { le: 0.01, count: 4 },
      { le: 0.1, count: 9 },
      { le: Number.POSITIVE_INFINITY, count: 10 },
    ]);
    expect(histogramQuantile(0.2, buckets)).toBeCloseTo(0.005);
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.01 + (0.09 * 1) / 5);
    // The slowest request is past the last finite bound: Prometheus answers that bound.
    expect(histogramQuantile(0.99, buckets)).toBe(0.1);
  });

  it('when nothing was observed in the window, then there is no quantile', () => {
    expect(histogramQuantile(0.5, [])).toBeUndefined();
    expect(
      histogramQuantile(0.5, [
        { le: 0.1, count: 0 },
        { le: Infinity, count: 0 },
      ]),
    ).toBeUndefined();
  });

  it('when a scrape fails, then the service is down until one succeeds', () => {
    const history = new ScrapeHistory(60_000);
    expect(history.up).toBeUndefined();
    history.record(0, []);
    history.recordFailure(2_000, 'ECONNREFUSED');
    expect(history.up).toBe(false);
    expect(history.lastError).toBe('ECONNREFUSED');
    history.record(4_000, []);
    expect(history.up).toBe(true);
  });
});

describe('the scraper over several instances', () => {
  it('when a service lists two instances, then each is scraped and the service reads as their sum', async () => {
    /** An instance whose counter grows by `step` at every scrape. */
    const start = (step: number) =>
      new Promise<{ url: string; close: () => void }>((resolve) => {
        let scrapes = 0;
        const server = createServer((_req, res) => {
          scrapes++;
          res.end(`requests_total ${step * scrapes}\n`);
        }).listen(0, '127.0.0.1', () => {
          const { port } = server.address() as { port: number };
          resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
        });
      });
    const [one, two] = await Promise.all([start(10), start(1000)]);
    let now = 0;
    const scraper = new MetricsScraper({
      targets: { ranker: [one!.url, two!.url] },
      windowMs: 60_000,
      now: () => now,
    });
    try {
      await scraper.scrapeAll();
      now = 10_000;
      await scraper.scrapeAll();
      const ranker = scraper.histories.get('ranker')!;
      expect(ranker.up).toBe(true);
      expect(ranker.increase({ metric: 'requests_total' })).toBe(10 + 1000);
      expect(ranker.rate({ metric: 'requests_total' })).toBeCloseTo(101, 5);
    } finally {
      one!.close();
      two!.close();
    }
  });
});
