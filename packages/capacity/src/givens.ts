// Everything the sheets use that is not a measurement: settings a reader
// may change on the command line, structural facts of the code, and a small
// price table. Each is printed as "given" wherever it is used, so a figure
// resting on one of them says so.
import { type Figure, given } from './figure.js';

/**
 * Illustrative list prices, 2026-12-03: on-demand general-purpose VMs priced
 * per vCPU-hour and per GB-hour, the way GCP prices N2 machine types
 * (us-central1 rates as recalled, not checked against a live price list).
 * Not a measurement and not a quote: enough to compare two designs, not to
 * budget one; change them here.
 */
export const PRICES = {
  asOf: '2026-12-03',
  basis: 'illustrative list prices, 2026-12-03 (on-demand vCPU-hour and GB-hour, GCP N2 style; not a quote)',
  usdPerVcpuHour: 0.031611,
  usdPerGbHour: 0.004237,
  hoursPerMonth: 730,
} as const;

export const DEFAULTS = {
  /** Target share of each core in use: headroom for bursts and for a lost instance. */
  utilisation: 0.6,
  /** Two instances of every service at least: the fraud design's availability section asks for it. */
  minInstances: 2,
  /**
   * Rows of a bench where more than this share of answers fell back
   * (degraded or rules-only) are past saturation: their CPU per request is
   * that of the fallback, not of the pipeline, so the fit leaves them out.
   */
  maxFallbackShare: 0.05,
  /** A Redis shard is one single-threaded process; keep its memory small enough to fork for a snapshot. */
  redisShardMaxGiB: 25,
  /** Where a request's latency percentiles come from: this many seeded draws. */
  samples: 50_000,
  seed: 14,
} as const;

export const setting = (value: number, unit: string, flag: string): Figure =>
  given(value, unit, `${flag} = ${value}`);

export const vcpuPrice = (): Figure => given(PRICES.usdPerVcpuHour, 'USD/vCPU-hour', PRICES.basis);
export const gbPrice = (): Figure => given(PRICES.usdPerGbHour, 'USD/GB-hour', PRICES.basis);
export const hoursPerMonth = (): Figure =>
  given(PRICES.hoursPerMonth, 'hours', 'hours in a month (8760 / 12)');
