import type { Random } from './random.js';

/**
 * Draws ranks 0..n-1 with probability proportional to 1 / (rank + 1)^exponent:
 * a few users send most requests, as on a real service. The cumulative
 * distribution is built once; each draw is a binary search.
 */
export function zipfSampler(n: number, exponent: number, random: Random): () => number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`a Zipf sampler needs at least one rank, got ${n}`);
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let rank = 0; rank < n; rank++) {
    sum += 1 / (rank + 1) ** exponent;
    cumulative[rank] = sum;
  }
  return () => {
    const target = random() * sum;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((cumulative[mid] as number) < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}
