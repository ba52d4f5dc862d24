import type { ServingCatalog } from './catalog.js';

/**
 * The regional popularity list as a candidate list: the cold-start answer,
 * and what replaces candidate generation when it is late. Scores fall with
 * rank so that later stages keep the order.
 */
export function popularCandidates(
  catalog: ServingCatalog,
  region: string,
  k: number,
  exclude: ReadonlySet<number>,
): { ids: number[]; scores: number[] } {
  const ids: number[] = [];
  for (const id of catalog.popularByRegion.get(region) ?? []) {
    if (ids.length === k) break;
    if (!exclude.has(id)) ids.push(id);
  }
  return { ids, scores: ids.map((_, rank) => 1 / (rank + 1)) };
}
