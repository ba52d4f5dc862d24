import { candidateQuery } from './candidate-space.js';
import type { RequestContext } from './types.js';
import { addScaled, norm, normalizeInPlace } from './vector.js';

const HOUR_MS = 3_600_000;

/** Blending knobs, tuned offline by a measured sweep and shipped in the manifest (`userTower`). */
export interface UserTowerParams {
  /** Share of the query that may come from recent listens once they weigh a lot (0 = long-term only). */
  recentWeight: number;
  /** Each older listen counts this much less than the one after it. */
  positionDecay: number;
  /** A listen's weight halves every `halfLifeHours`: this morning's listens matter more than last month's. */
  halfLifeHours: number;
  /** Weight of song popularity against taste in candidate generation (see candidate-space.ts). */
  popularityWeight: number;
}

export interface RecentSongVector {
  /** The song's embedding (same space as the HNSW index). */
  vector: ArrayLike<number>;
  timestampMs: number;
}

/**
 * The user tower: the query for candidate generation. It blends the
 * long-term embedding (who the user is) with the recent listens (what the
 * user is into right now), so a listen moves the next recommendations
 * without waiting for the nightly factorisation.
 *
 * Recent listens are averaged with weights that decay with position and age;
 * their share of the query grows with their total weight W as
 * recentWeight * W / (W + 1), so one stale listen barely moves a long-standing
 * taste while a fresh session moves it a lot.
 *
 * The result has dim + 1 floats: the unit taste direction, then the
 * popularity weight, matching the index's song vectors (candidate-space.ts).
 *
 * Returns null when there is nothing to go on (no embedding, no listens):
 * that user needs the cold-start path.
 */
export function userVector(
  longTerm: ArrayLike<number> | null,
  recent: readonly RecentSongVector[],
  context: Pick<RequestContext, 'nowMs'>,
  params: UserTowerParams,
): Float32Array | null {
  const dim = longTerm?.length ?? recent[0]?.vector.length;
  if (dim === undefined) return null;

  const session = new Float32Array(dim);
  let totalWeight = 0;
  let positionWeight = 1;
  for (let i = recent.length - 1; i >= 0; i--) {
    const listen = recent[i]!;
    const ageHours = Math.max(0, context.nowMs - listen.timestampMs) / HOUR_MS;
    const weight = positionWeight * 0.5 ** (ageHours / params.halfLifeHours);
    const length = norm(listen.vector);
    if (length > 0) {
      addScaled(session, listen.vector, weight / length);
      totalWeight += weight;
    }
    positionWeight *= params.positionDecay;
  }

  const longTermLength = longTerm ? norm(longTerm) : 0;
  if (longTermLength === 0) {
    return totalWeight > 0 ? candidateQuery(normalizeInPlace(session), params.popularityWeight) : null;
  }
  const taste = new Float32Array(dim);
  const recentShare = totalWeight > 0 ? (params.recentWeight * totalWeight) / (totalWeight + 1) : 0;
  addScaled(taste, longTerm!, (1 - recentShare) / longTermLength);
  if (recentShare > 0) addScaled(taste, normalizeInPlace(session), recentShare);
  return candidateQuery(normalizeInPlace(taste), params.popularityWeight);
}
