import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Latency buckets in seconds, dense below 100 ms where both designs' SLOs sit. */
export const LATENCY_BUCKETS_SECONDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5,
];

export interface Metrics {
  readonly registry: Registry;
  counter<L extends string>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  gauge<L extends string>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames?: readonly L[],
    buckets?: number[],
  ): Histogram<L>;
}

/**
 * One registry per service (never prom-client's global one, so that tests can
 * build many apps in one process). Metric names get the service's prefix.
 */
export function createMetrics(service: string, options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const created = new Map<string, unknown>();
  // Asking twice for the same metric returns the first one instead of throwing.
  const once = <M>(name: string, make: () => M): M => {
    if (!created.has(name)) created.set(name, make());
    return created.get(name) as M;
  };
  return {
    registry,
    counter: (name, help, labelNames = []) =>
      once(name, () => new Counter({ name, help, labelNames, registers: [registry] })),
    gauge: (name, help, labelNames = []) =>
      once(name, () => new Gauge({ name, help, labelNames, registers: [registry] })),
    histogram: (name, help, labelNames = [], buckets = LATENCY_BUCKETS_SECONDS) =>
      once(name, () => new Histogram({ name, help, labelNames, buckets, registers: [registry] })),
  };
}
