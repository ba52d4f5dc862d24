/**
 * The ranker's final order, with exploration places. The model alone fills
 * every list with the same few hundred popular songs (they are the safest
 * bet for every user), so most of the catalogue is never shown and never
 * gets listens to learn from. Measured offline, a global popularity penalty
 * buys little coverage for its accuracy cost: it moves every user to the
 * same slightly less popular songs. What does spread the lists is to keep
 * the model's order only where it is confident and to fill the places where
 * it is not with a draw from the user's own candidates:
 *
 *   1. candidates scoring at least `confidence` come first, best first;
 *   2. the others follow in a random order weighted by exp(score / temperature)
 *      (Gumbel-top-k), so better candidates are still likelier.
 *
 * A user with a strong signal keeps the model's list; a user whose 8th to
 * 10th places were weak guesses anyway gets songs from their own candidate
 * list instead, which differ from user to user. `confidence` is in the
 * model's score units, so the pipeline tunes it for each trained ranker and
 * ships it in the manifest next to the model (`exploration`).
 *
 * The draw is seeded by the candidate list itself: the same request gets the
 * same answer (reproducible, cacheable, explainable), while two users, or one
 * user after a new listen, get different draws. The ranker service and the
 * offline evaluation both call `rankedOrder`, so what is measured is what is
 * served.
 */

export interface ExplorationParams {
  /** Model score from which a candidate keeps its place by score; below it, places are drawn. */
  confidence: number;
  /** Weight of the score in the draw: exp(score / temperature); large = nearly uniform. */
  temperature: number;
}

/**
 * Candidate positions in serving order: by score (ties keep the candidate
 * order), then, with `exploration`, the unconfident ones re-drawn as above.
 * `ids` are the candidates' song ids (the seed), `scores` the model's. With
 * `limit`, only the first that many: the same prefix as the full order, found
 * without sorting every candidate (the ranker answers rec-api with a head of
 * count x overfetch songs, 100 by default, out of 1,000; on every request).
 */
export function rankedOrder(
  ids: ArrayLike<number>,
  scores: ArrayLike<number>,
  exploration?: ExplorationParams | null,
  limit = ids.length,
): number[] {
  const all = Array.from({ length: ids.length }, (_, i) => i);
  const take = Math.max(0, Math.min(limit, ids.length));
  if (!exploration) return topByKey(all, scores, take);
  const confident = all.filter((i) => scores[i]! >= exploration.confidence);
  const head = topByKey(confident, scores, take);
  if (head.length === take) return head;
  const seed = explorationSeed(ids);
  const keys = new Float64Array(ids.length);
  const rest = all.filter((i) => scores[i]! < exploration.confidence);
  for (const i of rest) keys[i] = scores[i]! / exploration.temperature + gumbel(seed, ids[i]!);
  return [...head, ...topByKey(rest, keys, take - head.length)];
}

/** The `m` items of highest key, best first, ties by position; a native numeric sort finds the cut first. */
function topByKey(items: number[], key: ArrayLike<number>, m: number): number[] {
  if (m <= 0) return [];
  let chosen = items;
  if (m < items.length) {
    // A plain loop: Float64Array.from with a map function costs as much as the sort here.
    const values = new Float64Array(items.length);
    for (let j = 0; j < items.length; j++) values[j] = key[items[j]!]!;
    values.sort();
    const cut = values[values.length - m]!;
    chosen = items.filter((i) => key[i]! >= cut);
  }
  return chosen.sort((a, b) => key[b]! - key[a]! || a - b).slice(0, m);
}

/** FNV-1a over the candidate ids: one 32-bit seed per distinct candidate list. */
export function explorationSeed(ids: ArrayLike<number>): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < ids.length; i++) {
    let id = ids[i]! >>> 0;
    for (let byte = 0; byte < 4; byte++) {
      hash = Math.imul(hash ^ (id & 0xff), 0x01000193);
      id >>>= 8;
    }
  }
  return hash >>> 0;
}

/** A standard Gumbel draw, a pure function of (seed, song): murmur3's finaliser mixes the pair. */
function gumbel(seed: number, songId: number): number {
  let h = (seed ^ Math.imul(songId + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  // (h + 0.5) / 2^32 is strictly inside (0, 1), so both logarithms are finite.
  const u = (h + 0.5) / 4294967296;
  return -Math.log(-Math.log(u));
}
