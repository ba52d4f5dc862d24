import type { Random } from '../random.js';

/** Draws the Handbook needs on top of the shared seeded generator. */

export const uniform = (random: Random, low: number, high: number): number =>
  low + (high - low) * random.float();

export const normal = (random: Random, mean: number, std: number): number => mean + std * random.normal();

/** Knuth's multiplication method: exact, and fast for the small means here (at most 4 payments a day). */
export function poisson(random: Random, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let product = random.float();
  while (product > limit) {
    k += 1;
    product *= random.float();
  }
  return k;
}

export const exponential = (random: Random, mean: number): number => -mean * Math.log(1 - random.float());

export const pick = <T>(random: Random, items: readonly T[]): T => items[random.int(items.length)]!;

/** `count` distinct indexes of [0, n), as pandas' `sample(n=count)` does for the Handbook's daily compromises. */
export function sampleIndexes(random: Random, n: number, count: number): number[] {
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count, n)) chosen.add(random.int(n));
  return [...chosen];
}

/**
 * How many events fall on day `day` when `perDay` may be fractional (a tiny
 * world compromises 0.12 terminals a day): spreads them evenly, and over any
 * span the total is the rate times the span, to within one.
 */
export const countOnDay = (perDay: number, day: number): number =>
  Math.floor((day + 1) * perDay) - Math.floor(day * perDay);

/** A random dotted quad, avoiding 0.x and multicast ranges so it reads like a client address. */
export const randomIp = (random: Random): string =>
  `${1 + random.int(223)}.${random.int(256)}.${random.int(256)}.${1 + random.int(254)}`;

/** A random device fingerprint id; legit and fraudulent devices look alike, so the id leaks no label. */
export const randomDeviceId = (random: Random): string =>
  `dev-${random.nextUint32().toString(16).padStart(8, '0')}${random.nextUint32().toString(16).padStart(8, '0')}`;
