import { type ExplorationParams, hitAtK, ndcgAtK, rankedOrder } from '@mlsys/recs-core';

export const LIST = 10;

/** One user's moment as the ranker saw it: candidates, model scores, what is playable, what they played next. */
export interface ScoredQuery {
  ids: Int32Array;
  scores: Float32Array;
  playable: (songId: number) => boolean;
  targets: ReadonlySet<number>;
}

/** How good, how wide and how varied the final lists of a set of users are. */
export interface ListReport {
  hitRateAt10: number;
  ndcgAt10: number;
  /** Distinct songs in all users' top 10, over the catalogue size. */
  catalogCoverage: number;
  /** Mean popularity rank (1 = most played in the training window) of the recommended songs. */
  meanPopularityRank: number;
  /** Mean over lists of 1 - mean pairwise cosine of the songs' embeddings in the top 10. */
  intraListDiversity: number;
  /** Mean places of the top 10 filled by the exploration draw rather than by score. */
  exploredPlaces: number;
}

/**
 * The song-side facts the list metrics need: popularity ranks and unit
 * embeddings (a song nobody played has a zero vector: cosine 0 with all).
 */
export interface SongSpace {
  popularityRank: Int32Array;
  unitVectors: Float32Array;
  dim: number;
}

export function songSpace(listenCounts: readonly number[], embeddings: Float32Array, dim: number): SongSpace {
  const byListens = Array.from(listenCounts, (_, id) => id).sort(
    (a, b) => listenCounts[b]! - listenCounts[a]! || a - b,
  );
  const popularityRank = new Int32Array(listenCounts.length);
  byListens.forEach((id, rank) => {
    popularityRank[id] = rank + 1;
  });
  const unitVectors = new Float32Array(embeddings.length);
  for (let s = 0; s < listenCounts.length; s++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += embeddings[s * dim + d]! ** 2;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let d = 0; d < dim; d++) unitVectors[s * dim + d] = embeddings[s * dim + d]! / norm;
  }
  return { popularityRank, unitVectors, dim };
}

/**
 * The final top 10 of one user: serving order (recs-core `rankedOrder`, what
 * the ranker service runs), then what the rules drop; with how many of its
 * places the exploration draw filled.
 */
export function finalList(query: ScoredQuery, exploration: ExplorationParams | null): FinalList {
  const ids: number[] = [];
  let explored = 0;
  for (const i of rankedOrder(query.ids, query.scores, exploration)) {
    if (ids.length === LIST) break;
    const id = query.ids[i]!;
    if (!query.playable(id)) continue;
    ids.push(id);
    if (exploration && query.scores[i]! < exploration.confidence) explored++;
  }
  return { ids, targets: query.targets, explored };
}

/** One user's final list and what they played next. */
export interface FinalList {
  ids: readonly number[];
  targets: ReadonlySet<number>;
  /** Places filled by the exploration draw (0 for lists built without one). */
  explored: number;
}

/** Every metric of `ListReport`, averaged over the users' final lists. */
export function reportLists(lists: readonly FinalList[], space: SongSpace): ListReport {
  const sums = { hits: 0, ndcg: 0, rank: 0, slots: 0, diversity: 0, varied: 0, explored: 0 };
  const recommended = new Set<number>();
  for (const list of lists) {
    sums.hits += hitAtK(list.ids, list.targets, LIST);
    sums.ndcg += ndcgAtK(list.ids, list.targets, LIST);
    sums.explored += list.explored;
    for (const id of list.ids.slice(0, LIST)) {
      recommended.add(id);
      sums.rank += space.popularityRank[id]!;
      sums.slots++;
    }
    // A list of one song has no pairs: it counts for nothing rather than as 0 or 1.
    if (Math.min(LIST, list.ids.length) > 1) {
      sums.diversity += 1 - meanPairwiseCosine(list.ids.slice(0, LIST), space);
      sums.varied++;
    }
  }
  const mean = (sum: number, n: number) => (n === 0 ? 0 : sum / n);
  return {
    hitRateAt10: mean(sums.hits, lists.length),
    ndcgAt10: mean(sums.ndcg, lists.length),
    catalogCoverage: recommended.size / space.popularityRank.length,
    meanPopularityRank: mean(sums.rank, sums.slots),
    intraListDiversity: mean(sums.diversity, sums.varied),
    exploredPlaces: mean(sums.explored, lists.length),
  };
}

function meanPairwiseCosine(list: readonly number[], space: SongSpace): number {
  const { unitVectors: v, dim } = space;
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < list.length; a++) {
    for (let b = a + 1; b < list.length; b++) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += v[list[a]! * dim + d]! * v[list[b]! * dim + d]!;
      sum += dot;
      pairs++;
    }
  }
  return sum / pairs;
}
