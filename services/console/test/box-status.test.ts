import { SLO } from '@mlsys/load-tests/slo';
import { describe, expect, it } from 'vitest';
import { boxNumbers } from '../src/domain/box-stats.js';
import { InstanceHistories } from '../src/domain/instance-histories.js';
import { LagHistory, topicLag } from '../src/domain/kafka-lag.js';
import { parsePrometheusText } from '../src/domain/prometheus.js';
import { ScrapeHistory } from '../src/domain/scrape-history.js';
import { fraudDrawing, recsDrawing, type ScrapedService, type ServiceBox } from '../src/domain/topology.js';
import { kafkaNumbers } from '../src/domain/topology-view.js';

const recs = recsDrawing(SLO.recs);
const box = (id: string) => recs.boxes.find((b) => b.id === id) as ServiceBox;
const BUCKETS = [0.005, 0.05, 0.1, 0.25];

/** rec-api's exposition after `requests` answers: `slow` of them over 100 ms, `failed` of them 5xx, `degraded` fell back. */
function recApiText(requests: number, slow: number, failed: number, degraded: number): string {
  const route = 'route="/v1/recommendations/:userId",method="GET"';
  const lines: string[] = [];
  const series = (status: string, count: number, slowCount: number) => {
    for (const le of BUCKETS)
      lines.push(
        `http_request_duration_seconds_bucket{le="${le}",${route},status_code="${status}"} ${le <= 0.1 ? count - slowCount : count}`,
      );
    lines.push(`http_request_duration_seconds_bucket{le="+Inf",${route},status_code="${status}"} ${count}`);
    lines.push(`http_request_duration_seconds_count{${route},status_code="${status}"} ${count}`);
  };
  series('200', requests - failed, slow);
  series('503', failed, 0);
  lines.push(`rec_api_degraded_total{stage="ranker"} ${degraded}`);
  return lines.join('\n');
}

function histories(from: string, to: string): Map<ScrapedService, ScrapeHistory> {
  const history = new ScrapeHistory(60_000);
  history.record(0, parsePrometheusText(from));
  history.record(30_000, parsePrometheusText(to));
  return new Map([['rec-api', history]]);
}

describe('a box coloured by its SLO', () => {
  it('when p95 is under the target and nothing failed, then the gateway is ok with its numbers', () => {
    const view = boxNumbers(box('rec-api'), histories(recApiText(0, 0, 0, 0), recApiText(3000, 10, 0, 0)));

    expect(view.status).toBe('ok');
    expect(view.ratePerSecond).toBe(100);
    expect(view.p95Ms).toBeLessThan(SLO.recs.endToEndP95.target);
    expect(view.errorShare).toBe(0);
  });

  it('when more than 5 % of answers took over 100 ms, then the gateway breaches its p95 SLO, saying so', () => {
    const view = boxNumbers(box('rec-api'), histories(recApiText(0, 0, 0, 0), recApiText(1000, 200, 0, 0)));

    expect(view.status).toBe('breach');
    expect(view.reasons[0]).toMatch(/^p95 .* ms, SLO p95 < 100 ms$/);
  });

  it('when the failed share is over the 99.9 % availability budget, then the box breaches', () => {
    const view = boxNumbers(box('rec-api'), histories(recApiText(0, 0, 0, 0), recApiText(1000, 0, 5, 0)));

    expect(view.status).toBe('breach');
    expect(view.errorShare).toBeCloseTo(0.005);
    expect(view.reasons[0]).toMatch(/0\.50 % failed, budget 0\.10 %/);
  });

  it('when answers are fast but more fell back than the budget allows, then the box is degraded, not breached', () => {
    const view = boxNumbers(box('rec-api'), histories(recApiText(0, 0, 0, 0), recApiText(1000, 0, 0, 30)));

    expect(view.status).toBe('degraded');
    expect(view.degradedShare).toBeCloseTo(0.03);
  });

  it('when no request came in the window, then the box is idle', () => {
    const view = boxNumbers(box('rec-api'), histories(recApiText(10, 0, 0, 0), recApiText(10, 0, 0, 0)));
    expect(view.status).toBe('idle');
    expect(view.p95Ms).toBeNull();
  });

  it('when a service of the box does not answer its scrape, then the box is down with the cause', () => {
    const all = histories(recApiText(0, 0, 0, 0), recApiText(100, 0, 0, 0));
    const ranker = new ScrapeHistory(60_000);
    ranker.recordFailure(1, 'ECONNREFUSED');
    all.set('ranker', ranker);

    const view = boxNumbers(box('ranker'), all);

    expect(view.status).toBe('down');
    expect(view.reasons).toEqual(['ranker does not answer: ECONNREFUSED']);
  });

  it("when the gateway's calls to a stage fell back over the budget, then the stage box breaches while the gateway is only degraded", () => {
    const all = histories(
      `${recApiText(0, 0, 0, 0)}\nrec_api_stage_seconds_count{stage="ranker"} 0`,
      `${recApiText(100, 0, 0, 10)}\nrec_api_stage_seconds_count{stage="ranker"} 100`,
    );
    const ranker = new ScrapeHistory(60_000);
    const rank = (n: number) =>
      `http_request_duration_seconds_bucket{le="0.01",route="/v1/rank",status_code="200"} ${n}\n` +
      `http_request_duration_seconds_bucket{le="+Inf",route="/v1/rank",status_code="200"} ${n}`;
    ranker.record(0, parsePrometheusText(rank(0)));
    ranker.record(30_000, parsePrometheusText(rank(90)));
    all.set('ranker', ranker);

    const stage = boxNumbers(box('ranker'), all);
    const gateway = boxNumbers(box('rec-api'), all);

    expect(stage.status).toBe('breach');
    expect(stage.degradedShare).toBeCloseTo(0.1);
    expect(stage.reasons[0]).toMatch(/fell back: the stage did not deliver/);
    expect(gateway.status).toBe('degraded');
  });

  it('when drawn, then every box of both designs is coloured by a target of the SLO file, and arrows join boxes that exist', () => {
    const fraud = fraudDrawing(SLO.fraud);
    expect(box('rec-api').slo.latency?.target).toBe(SLO.recs.endToEndP95);
    expect(box('candidate-gen').slo.latency?.target).toBe(SLO.recs.annP99);
    const txn = fraud.boxes.find((b) => b.id === 'txn-api') as ServiceBox;
    expect(txn.slo.latency).toEqual({ quantile: 'p99', target: SLO.fraud.decisionP99 });
    for (const drawing of [recs, fraud]) {
      const ids = new Set(drawing.boxes.map((b) => b.id));
      for (const arrow of drawing.arrows)
        expect([ids.has(arrow.from), ids.has(arrow.to)]).toEqual([true, true]);
    }
  });
});

describe('Kafka consumer lag', () => {
  it('when a group committed some partitions, then lag counts to the end of each, from the oldest offset where it never committed', () => {
    const lag = topicLag(
      [
        { partition: 0, offset: '90' },
        { partition: 1, offset: '-1' },
      ],
      [
        { partition: 0, high: '100', low: '0' },
        { partition: 1, high: '50', low: '20' },
        { partition: 2, high: '7', low: '7' },
      ],
    );
    expect(lag).toBe(10 + 30);
  });

  it('when a group is far behind and falling further, then the Kafka box turns degraded; when it catches up, ok', () => {
    const history = new LagHistory(60_000);
    history.record(0, [{ group: 'fraud-scorer', topic: 'transactions.enriched', lag: 2_000 }]);
    history.record(10_000, [{ group: 'fraud-scorer', topic: 'transactions.enriched', lag: 5_000 }]);
    const falling = kafkaNumbers('kafka', history, 1000);
    expect(falling.status).toBe('degraded');
    expect(falling.groups[0]).toMatchObject({ lag: 5_000, growth: 3_000 });

    history.record(20_000, [{ group: 'fraud-scorer', topic: 'transactions.enriched', lag: 1_500 }]);
    expect(kafkaNumbers('kafka', history, 1000).status).toBe('ok');
  });

  it('when the admin client fails, then the Kafka box is down with the cause', () => {
    const history = new LagHistory(60_000);
    history.recordFailure('Connection error: ECONNREFUSED');
    expect(kafkaNumbers('kafka', history, 1000)).toMatchObject({ status: 'down' });
  });
});

describe('a service of two instances (the ha profile)', () => {
  const instance = (url: string, from: string, to: string) => {
    const history = new ScrapeHistory(60_000);
    history.record(0, parsePrometheusText(from));
    history.record(30_000, parsePrometheusText(to));
    return { url, history };
  };

  it('when both answer, then the box sums their requests and merges their latency buckets', () => {
    const one = instance('http://127.0.0.1:8180', recApiText(0, 0, 0, 0), recApiText(1500, 0, 0, 0));
    const two = instance('http://127.0.0.1:8280', recApiText(0, 0, 0, 0), recApiText(1500, 150, 0, 0));
    const view = boxNumbers(box('rec-api'), new Map([['rec-api', new InstanceHistories([one, two])]]));
    expect(view.ratePerSecond).toBeCloseTo(100, 5);
    // 150 of 3,000 over 100 ms together: exactly the 95th percentile's edge, so p99 is past it and p50 is not.
    expect(view.p99Ms!).toBeGreaterThan(100);
    expect(view.p50Ms!).toBeLessThan(100);
  });

  it('when one instance stops answering, then the box is down and names it, while the other still counts', () => {
    const one = instance('http://127.0.0.1:8180', recApiText(0, 0, 0, 0), recApiText(1500, 0, 0, 0));
    const two = instance('http://127.0.0.1:8280', recApiText(0, 0, 0, 0), recApiText(1500, 0, 0, 0));
    two.history.recordFailure(31_000, 'ECONNREFUSED');
    const both = new InstanceHistories([one, two]);
    const view = boxNumbers(box('rec-api'), new Map([['rec-api', both]]));
    expect(both.up).toBe(false);
    expect(view.status).toBe('down');
    expect(view.reasons.join(' ')).toContain('http://127.0.0.1:8280: ECONNREFUSED (1 of 2 instances answer)');
    expect(view.ratePerSecond).toBeCloseTo(100, 5);
  });
});
