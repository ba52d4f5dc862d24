/**
 * Offline quality metrics over one ranked list and the set of songs the user
 * actually listened to next. Averaging over users is the caller's job.
 */

/** Share of the relevant items found in the first k of `ranked`. */
export function recallAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  if (relevant.size === 0) return 0;
  return hitsInTopK(ranked, relevant, k) / relevant.size;
}

/** 1 when at least one relevant item is in the first k, else 0. */
export function hitAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  return hitsInTopK(ranked, relevant, k) > 0 ? 1 : 0;
}

/** Binary-relevance NDCG: DCG of the first k over the DCG of a perfect list. */
export function ndcgAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  if (relevant.size === 0) return 0;
  let dcg = 0;
  const limit = Math.min(k, ranked.length);
  for (let i = 0; i < limit; i++) if (relevant.has(ranked[i]!)) dcg += 1 / Math.log2(i + 2);
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return dcg / ideal;
}

function hitsInTopK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  let hits = 0;
  const limit = Math.min(k, ranked.length);
  for (let i = 0; i < limit; i++) if (relevant.has(ranked[i]!)) hits++;
  return hits;
}
