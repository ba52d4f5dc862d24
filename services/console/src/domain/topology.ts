import type { SloTarget } from '@mlsys/results';
import type { Selector } from './selector.js';

/**
 * Both designs as the README draws them: a box per stage, the arrows
 * between them, and for each box where its numbers come from (which
 * service's `/metrics`, which series) and which SLO of
 * `load-tests/src/slo.ts` colours it. Data only; `box-stats.ts` reads it.
 */

export type Design = 'recs' | 'fraud';

/** The services the console scrapes; a box names one of them for each series it reads. */
export const SCRAPED_SERVICES = [
  'rec-api',
  'feature-store',
  'candidate-gen',
  'ranker',
  'rules',
  'txn-api',
  'feature-engine',
  'fraud-scorer',
  'fraud-monitor',
] as const;
export type ScrapedService = (typeof SCRAPED_SERVICES)[number];

/** A series of one service. */
export interface SeriesRef extends Selector {
  service: ScrapedService;
}

/** A latency SLO: the quantile of the box's histogram it holds, e.g. p95 < 100 ms. */
export interface LatencySlo {
  quantile: 'p50' | 'p95' | 'p99';
  target: SloTarget;
}

/** One more line under the numbers: a rate, a share, or the newest value of a gauge. */
export type Extra =
  | { label: string; kind: 'rate'; series: SeriesRef }
  | { label: string; kind: 'share'; part: SeriesRef; whole: SeriesRef }
  | { label: string; kind: 'gauge'; series: SeriesRef; format: 'ratio' | 'number' | 'count' };

export interface ServiceBox {
  kind: 'service';
  id: string;
  design: Design;
  title: string;
  /** What the box does, in one line. */
  role: string;
  /** Where it sits in the drawing, in grid cells. */
  at: { col: number; row: number };
  /** The services whose scrape must answer for the box to be up. */
  services: ScrapedService[];
  /** The latency histogram; its count gives the rate unless `throughput` is given. */
  latency?: SeriesRef;
  /** Counters whose summed rate is the box's rate, for a box whose histogram sees only part of its work. */
  throughput?: SeriesRef[];
  /** What the rate counts, e.g. `req/s`. */
  rateUnit: string;
  /** The part of the latency histogram's count that failed (e.g. status 5xx). */
  errors?: SeriesRef;
  /** Answers that fell back, as a counter over the latency histogram's count. */
  degraded?: SeriesRef;
  /** Divide `degraded` by this counter instead of the latency histogram's count. */
  degradedOf?: SeriesRef;
  /**
   * For a stage the gateway calls, a fallback is the stage not delivering:
   * it counts against the stage's availability (red), where for the gateway
   * itself it is a partial answer (amber).
   */
  fallbackIsFailure?: boolean;
  slo: { latency?: LatencySlo; availability?: SloTarget };
  extras: Extra[];
}

export interface KafkaBox {
  kind: 'kafka';
  id: string;
  design: Design;
  title: string;
  role: string;
  at: { col: number; row: number };
}

export type Box = ServiceBox | KafkaBox;

export interface Arrow {
  from: string;
  to: string;
  label: string;
}

export interface DesignDrawing {
  design: Design;
  title: string;
  slo: string;
  boxes: Box[];
  arrows: Arrow[];
}

/** The SLO targets the boxes are coloured by, named as load-tests/src/slo.ts names them. */
export interface SloTargets {
  recs: { endToEndP95: SloTarget; annP99: SloTarget; availability: SloTarget };
  fraud: { decisionP99: SloTarget; availability: SloTarget };
}

const http = (service: ScrapedService, route: string, method?: string): SeriesRef => ({
  service,
  metric: 'http_request_duration_seconds',
  labels: method ? { route, method } : { route },
});
const serverErrors = (ref: SeriesRef): SeriesRef => ({
  ...ref,
  labels: { ...ref.labels, status_code: { re: '5..' } },
});
const recStage = (stage: string): SeriesRef => ({
  service: 'rec-api',
  metric: 'rec_api_stage_seconds',
  labels: { stage },
});
const recDegraded = (stage?: string): SeriesRef => ({
  service: 'rec-api',
  metric: 'rec_api_degraded_total',
  ...(stage ? { labels: { stage } } : {}),
});

export function recsDrawing(slo: SloTargets['recs']): DesignDrawing {
  const gateway = http('rec-api', '/v1/recommendations/:userId');
  const stageBox = (
    id: 'candidate-gen' | 'ranker' | 'rules',
    title: string,
    role: string,
    route: string,
    stage: string,
    row: number,
  ): ServiceBox => ({
    kind: 'service',
    id,
    design: 'recs',
    title,
    role,
    at: { col: 2, row },
    services: [id, 'rec-api'],
    rateUnit: 'req/s',
    latency: http(id, route),
    errors: serverErrors(http(id, route)),
    degraded: recDegraded(stage),
    degradedOf: { ...recStage(stage), metric: 'rec_api_stage_seconds_count' },
    fallbackIsFailure: true,
    slo: { availability: slo.availability },
    extras: [],
  });
  const candidates = stageBox(
    'candidate-gen',
    'candidate-gen',
    'HNSW top-k over song embeddings',
    '/v1/candidates',
    'candidates',
    1,
  );
  // The design's ANN target is on the index search itself, not the HTTP hop around it.
  candidates.latency = { service: 'candidate-gen', metric: 'candidate_gen_search_seconds' };
  candidates.slo = { latency: { quantile: 'p99', target: slo.annP99 }, availability: slo.availability };
  return {
    design: 'recs',
    title: 'Recommendations',
    slo: `p95 ${slo.endToEndP95.op} ${slo.endToEndP95.target} ms end to end; ANN p99 ${slo.annP99.op} ${slo.annP99.target} ms`,
    boxes: [
      {
        kind: 'service',
        id: 'rec-api',
        design: 'recs',
        title: 'rec-api',
        role: 'gateway: per-stage deadlines and fallbacks',
        at: { col: 0, row: 1 },
        services: ['rec-api'],
        rateUnit: 'req/s',
        latency: gateway,
        errors: serverErrors(gateway),
        degraded: recDegraded(),
        slo: {
          latency: { quantile: 'p95', target: slo.endToEndP95 },
          availability: slo.availability,
        },
        extras: [
          {
            label: 'cold starts',
            kind: 'share',
            part: { service: 'rec-api', metric: 'rec_api_cold_start_total' },
            whole: { ...gateway, metric: 'http_request_duration_seconds_count' },
          },
        ],
      },
      {
        kind: 'service',
        id: 'feature-store',
        design: 'recs',
        title: 'feature store',
        role: 'user features in Redis, read by the gateway',
        at: { col: 2, row: 0 },
        services: ['feature-store', 'rec-api'],
        rateUnit: 'reads/s',
        latency: recStage('features'),
        degraded: recDegraded('features'),
        fallbackIsFailure: true,
        slo: { availability: slo.availability },
        extras: [
          {
            label: 'listens/s',
            kind: 'rate',
            series: { service: 'feature-store', metric: 'feature_store_listens_total' },
          },
        ],
      },
      candidates,
      stageBox('ranker', 'ranker', 'LightGBM LambdaRank (ONNX)', '/v1/rank', 'ranker', 2),
      stageBox('rules', 'rules', 'licensing, freshness, diversity', '/v1/apply', 'rules', 3),
    ],
    arrows: [
      { from: 'rec-api', to: 'feature-store', label: 'user vector, recent listens' },
      { from: 'rec-api', to: 'candidate-gen', label: 'top-k' },
      { from: 'rec-api', to: 'ranker', label: 'score' },
      { from: 'rec-api', to: 'rules', label: 'filter, reorder' },
    ],
  };
}

export function fraudDrawing(slo: SloTargets['fraud']): DesignDrawing {
  const submit = http('txn-api', '/v1/transactions', 'POST');
  const syncAnswers: SeriesRef = { service: 'txn-api', metric: 'txn_api_sync_decisions_total' };
  const decide: SeriesRef = { service: 'feature-engine', metric: 'feature_engine_request_decision_seconds' };
  const monitorGauge = (metric: string, window?: string): SeriesRef => ({
    service: 'fraud-monitor',
    metric,
    ...(window ? { labels: { window } } : {}),
  });
  return {
    design: 'fraud',
    title: 'Fraud detection',
    slo: `decision p99 ${slo.decisionP99.op} ${slo.decisionP99.target} ms; availability ${slo.availability.op} ${slo.availability.target * 100} %`,
    boxes: [
      {
        kind: 'service',
        id: 'txn-api',
        design: 'fraud',
        title: 'txn-api',
        role: 'POST /v1/transactions; ?wait=true answers the decision',
        at: { col: 0, row: 1 },
        services: ['txn-api'],
        rateUnit: 'payments/s',
        latency: submit,
        errors: serverErrors(submit),
        // A ?wait=true answer the partition owner did not give: rules-only, or held for review.
        degraded: { ...syncAnswers, labels: { source: { not: 'pipeline' } } },
        degradedOf: syncAnswers,
        slo: {
          latency: { quantile: 'p99', target: slo.decisionP99 },
          availability: slo.availability,
        },
        extras: [],
      },
      {
        kind: 'service',
        id: 'feature-engine',
        design: 'fraud',
        title: 'feature-engine',
        role: '1h/24h/7d windows; decides its partitions on the request path',
        at: { col: 1, row: 0 },
        services: ['feature-engine'],
        rateUnit: 'decisions/s',
        latency: decide,
        errors: { ...decide, labels: { outcome: 'failed' } },
        slo: {
          // The owner's decision is part of the request's 50 ms.
          latency: { quantile: 'p99', target: slo.decisionP99 },
          availability: slo.availability,
        },
        extras: [
          {
            label: 'stream tx/s',
            kind: 'rate',
            series: {
              service: 'feature-engine',
              metric: 'feature_engine_transactions_total',
              // Payments the request path applied first reach the stream as duplicates; a state rebuild is not traffic.
              labels: { outcome: { not: 'replayed' } },
            },
          },
        ],
      },
      {
        kind: 'kafka',
        id: 'kafka',
        design: 'fraud',
        title: 'Kafka',
        role: 'consumer lag per group',
        at: { col: 1, row: 2 },
      },
      {
        kind: 'service',
        id: 'fraud-scorer',
        design: 'fraud',
        title: 'fraud-scorer',
        role: 'rules + GBM (ONNX) -> decisions (event to decision)',
        at: { col: 2, row: 1 },
        services: ['fraud-scorer'],
        rateUnit: 'decisions/s',
        // Decisions made here; those the partition owner answered on the request path (logged by the owner, skipped here) unmeasured.
        latency: { service: 'fraud-scorer', metric: 'fraud_scorer_event_to_decision_seconds' },
        throughput: [
          { service: 'fraud-scorer', metric: 'fraud_scorer_decisions_total' },
          { service: 'fraud-scorer', metric: 'fraud_scorer_request_path_decisions_total' },
        ],
        slo: {},
        extras: [
          {
            label: 'decided here/s',
            kind: 'rate',
            series: { service: 'fraud-scorer', metric: 'fraud_scorer_decisions_total' },
          },
          {
            label: 'answered by the owner/s',
            kind: 'rate',
            series: { service: 'fraud-scorer', metric: 'fraud_scorer_request_path_decisions_total' },
          },
        ],
      },
      {
        kind: 'service',
        id: 'fraud-monitor',
        design: 'fraud',
        title: 'fraud-monitor',
        role: 'precision/recall on chargebacks, drift, calibration',
        at: { col: 2, row: 3 },
        services: ['fraud-monitor'],
        rateUnit: 'decisions/s',
        throughput: [
          {
            service: 'fraud-monitor',
            metric: 'fraud_monitor_label_events_total',
            labels: { event: 'decision' },
          },
        ],
        slo: {},
        extras: [
          {
            label: 'chargebacks/s',
            kind: 'rate',
            series: {
              service: 'fraud-monitor',
              metric: 'fraud_monitor_label_events_total',
              labels: { event: 'chargeback' },
            },
          },
          {
            label: 'precision 1h',
            kind: 'gauge',
            series: monitorGauge('fraud_monitor_precision', '1h'),
            format: 'ratio',
          },
          {
            label: 'recall 1h',
            kind: 'gauge',
            series: monitorGauge('fraud_monitor_recall', '1h'),
            format: 'ratio',
          },
          {
            label: 'label coverage 1h',
            kind: 'gauge',
            series: monitorGauge('fraud_monitor_label_coverage', '1h'),
            format: 'ratio',
          },
          { label: 'ECE', kind: 'gauge', series: monitorGauge('fraud_monitor_ece'), format: 'number' },
          {
            label: 'drift alarms',
            kind: 'gauge',
            series: monitorGauge('fraud_monitor_drift_alarm'),
            format: 'count',
          },
        ],
      },
    ],
    arrows: [
      { from: 'txn-api', to: 'feature-engine', label: 'card partition owner decides' },
      { from: 'feature-engine', to: 'kafka', label: 'transactions, .enriched' },
      { from: 'kafka', to: 'fraud-scorer', label: '.enriched' },
      { from: 'fraud-scorer', to: 'kafka', label: 'decisions' },
      { from: 'kafka', to: 'fraud-monitor', label: 'decisions, chargebacks' },
      { from: 'kafka', to: 'txn-api', label: 'decisions' },
    ],
  };
}
