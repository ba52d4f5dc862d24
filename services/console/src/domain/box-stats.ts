import { evaluate, type SloTarget } from '@mlsys/results';
import type { ServiceHistory } from './instance-histories.js';
import { histogramQuantile } from './scrape-history.js';
import type { Extra, ScrapedService, SeriesRef, ServiceBox } from './topology.js';

/**
 * A box's numbers over the window and its colour:
 * - `down`: a service of the box did not answer its last scrape;
 * - `breach`: a latency SLO failed, or the share of failed requests is over
 *   the design's error budget (1 - availability target);
 * - `degraded`: answers came fast and without error, but more of them fell
 *   back than the error budget allows (a partial answer is not the service);
 *   for a stage box (`fallbackIsFailure`) the gateway's fallbacks are the
 *   stage's failures, so the same share is a breach;
 * - `idle`: no request in the window, so there is nothing to judge;
 * - `ok`: none of the above; `unknown` before the first scrape.
 */
export type BoxStatus = 'ok' | 'degraded' | 'breach' | 'down' | 'idle' | 'unknown';

export interface BoxNumbers {
  id: string;
  status: BoxStatus;
  /** Why the colour is what it is, one line each. */
  reasons: string[];
  ratePerSecond: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  errorShare: number | null;
  degradedShare: number | null;
  extras: Array<{ label: string; value: string }>;
}

export type Histories = ReadonlyMap<ScrapedService, ServiceHistory>;

const fixed = (value: number, digits: number) => value.toFixed(digits);

function formatGauge(values: number[], format: 'ratio' | 'number' | 'count'): string {
  if (values.length === 0) return format === 'count' ? '0' : 'not yet known';
  if (format === 'count') return String(values.reduce((sum, v) => sum + v, 0));
  const value = values[0]!;
  return format === 'ratio' ? fixed(value, 3) : fixed(value, 4);
}

function extraValue(extra: Extra, histories: Histories): string {
  if (extra.kind === 'rate') {
    const history = histories.get(extra.series.service);
    return history ? fixed(history.rate(extra.series), 1) : '-';
  }
  if (extra.kind === 'share') {
    const part = histories.get(extra.part.service)?.increase(extra.part) ?? 0;
    const whole = histories.get(extra.whole.service)?.increase(extra.whole) ?? 0;
    return whole > 0 ? `${fixed((100 * part) / whole, 1)} %` : '-';
  }
  const samples = histories.get(extra.series.service)?.latest(extra.series) ?? [];
  return formatGauge(
    samples.map((s) => s.value).filter((v) => Number.isFinite(v)),
    extra.format,
  );
}

/** An error budget: the share of requests an availability target lets fail. */
const budgetOf = (availability: SloTarget) => 1 - availability.target;

export function boxNumbers(box: ServiceBox, histories: Histories): BoxNumbers {
  const view: BoxNumbers = {
    id: box.id,
    status: 'ok',
    reasons: [],
    ratePerSecond: null,
    p50Ms: null,
    p95Ms: null,
    p99Ms: null,
    errorShare: null,
    degradedShare: null,
    extras: box.extras.map((extra) => ({ label: extra.label, value: extraValue(extra, histories) })),
  };
  const of = (ref: SeriesRef) => histories.get(ref.service);

  let requests = 0;
  if (box.latency) {
    const history = of(box.latency);
    if (history) {
      const buckets = history.bucketIncreases(box.latency);
      requests = buckets.at(-1)?.count ?? 0;
      const span = history.spanSeconds();
      view.ratePerSecond = span > 0 ? requests / span : null;
      const ms = (q: number) => {
        const seconds = histogramQuantile(q, buckets);
        return seconds === undefined ? null : seconds * 1000;
      };
      view.p50Ms = ms(0.5);
      view.p95Ms = ms(0.95);
      view.p99Ms = ms(0.99);
    }
  }
  if (box.throughput) {
    let perSecond = 0;
    let counted = 0;
    for (const ref of box.throughput) {
      const history = of(ref);
      perSecond += history?.rate(ref) ?? 0;
      counted += history?.increase(ref) ?? 0;
    }
    view.ratePerSecond = perSecond;
    requests = Math.max(requests, counted);
  }
  if (box.errors && requests > 0) {
    view.errorShare = (of(box.errors)?.increase(box.errors, `${box.errors.metric}_count`) ?? 0) / requests;
  }
  if (box.degraded) {
    const degraded = of(box.degraded)?.increase(box.degraded) ?? 0;
    const whole = box.degradedOf ? (of(box.degradedOf)?.increase(box.degradedOf) ?? 0) : requests;
    if (whole > 0) view.degradedShare = Math.min(1, degraded / whole);
  }

  const down = box.services.filter((service) => histories.get(service)?.up === false);
  if (down.length > 0) {
    view.status = 'down';
    for (const service of down)
      view.reasons.push(`${service} does not answer: ${histories.get(service)?.lastError ?? 'no scrape'}`);
    return view;
  }
  if (box.services.some((service) => histories.get(service)?.up === undefined)) {
    view.status = 'unknown';
    return view;
  }
  if ((box.latency || box.throughput) && requests === 0) {
    view.status = 'idle';
    view.reasons.push('no requests in the window');
    return view;
  }

  const breaches: string[] = [];
  const latency = box.slo.latency;
  if (latency) {
    const key = `${latency.quantile}Ms` as const;
    const value = view[key];
    const verdict = evaluate(latency.target, value);
    if (value !== null && !verdict.pass)
      breaches.push(
        `${latency.quantile} ${fixed(value, 1)} ms, SLO ${latency.quantile} ${latency.target.op} ${latency.target.target} ms`,
      );
  }
  const availability = box.slo.availability;
  if (availability && view.errorShare !== null && view.errorShare > budgetOf(availability)) {
    breaches.push(
      `${fixed(100 * view.errorShare, 2)} % failed, budget ${fixed(100 * budgetOf(availability), 2)} %`,
    );
  }
  const fellBack =
    availability && view.degradedShare !== null && view.degradedShare > budgetOf(availability)
      ? `${fixed(100 * view.degradedShare, 2)} % of the gateway's calls fell back`
      : undefined;
  if (fellBack && box.fallbackIsFailure) breaches.push(`${fellBack}: the stage did not deliver`);
  if (breaches.length > 0) {
    view.status = 'breach';
    view.reasons.push(...breaches);
    return view;
  }
  if (fellBack) {
    view.status = 'degraded';
    view.reasons.push(fellBack);
  }
  return view;
}
