/**
 * The arithmetic of a sharded index, kept free of the native addon so it can
 * be tested and reasoned about alone: which shard holds a song, how many
 * results to ask each shard for, and the merge of their answers.
 */
import type { ScoredIds } from '../exact-search.js';

/**
 * Songs are dealt to shards round-robin by id. Ids carry no geometry, so a
 * user's true top-k spreads over the shards like a fair draw, which is what
 * `shardFetchK` relies on; a slice by id range would keep an artist's
 * consecutive ids together and pile a taste's neighbours into one shard.
 */
export function shardOf(song: number, shards: number): number {
  return song % shards;
}

/**
 * How many songs to ask each of `shards` shards for, so that their merge
 * still holds the global top k. Each of the k best songs sits in a given
 * shard with probability 1/S, so a shard holds Binomial(k, 1/S) of them:
 * mean k/S, standard deviation sqrt(k (1/S)(1 - 1/S)). Asking for the mean
 * plus 5 deviations (580 of 1000 per shard at S = 2, 319 at S = 4, 43 at
 * S = 50) leaves a shard short, by the binomial's exact tail, once in about
 * 6 million searches at S = 2, 2.6 million at S = 4 and 550,000 at S = 50
 * (small shares have heavier tails), and a short shard loses only the
 * lowest-scored songs of the k. `exact` asks every shard for all k.
 */
export function shardFetchK(k: number, shards: number, exact = false): number {
  if (shards <= 1 || exact) return k;
  const p = 1 / shards;
  return Math.min(k, Math.ceil(k * p + SIGMAS * Math.sqrt(k * p * (1 - p))));
}

const SIGMAS = 5;

/**
 * The shard's ef for a fetch of `shardK`: the beam-to-k ratio tuned for the
 * whole index (`efSearch / k`), applied to the shard's smaller k. hnswlib
 * searches with max(ef, k) anyway.
 */
export function shardEf(efSearch: number, k: number, shardK: number): number {
  return Math.max(shardK, Math.ceil((efSearch * shardK) / Math.max(1, k)));
}

/**
 * The best `k` of several best-first answers over disjoint song sets (the
 * shards partition the catalogue), best first; ties go to the lower id, the
 * order `exactTopK` uses. O(k x lists): the lists are a handful of shards.
 */
export function mergeTopK(lists: readonly ScoredIds[], k: number): ScoredIds {
  if (lists.length === 1) {
    const only = lists[0]!;
    return only.ids.length <= k ? only : { ids: only.ids.slice(0, k), scores: only.scores.slice(0, k) };
  }
  const total = lists.reduce((sum, list) => sum + list.ids.length, 0);
  const size = Math.min(k, total);
  const ids = new Int32Array(size);
  const scores = new Float32Array(size);
  const heads = new Int32Array(lists.length);
  for (let n = 0; n < size; n++) {
    let best = -1;
    for (let l = 0; l < lists.length; l++) {
      const list = lists[l]!;
      const at = heads[l]!;
      if (at >= list.ids.length) continue;
      if (best < 0) {
        best = l;
        continue;
      }
      const leader = lists[best]!;
      const score = list.scores[at]!;
      const leaderScore = leader.scores[heads[best]!]!;
      if (score > leaderScore || (score === leaderScore && list.ids[at]! < leader.ids[heads[best]!]!))
        best = l;
    }
    const winner = lists[best]!;
    ids[n] = winner.ids[heads[best]!]!;
    scores[n] = winner.scores[heads[best]!]!;
    heads[best]! += 1;
  }
  return { ids, scores };
}
