import { type GenreHourTable, genreHourLift } from './genre-hour-lift.js';
import type { HistorySummary } from './history.js';
import type { RequestContext, SongFeatures } from './types.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** "Never listened to this artist" reads as a year ago: far beyond any real gap in the history. */
const NEVER_HOURS = 24 * 365;

/** Everything about the request that does not depend on the candidate. */
export interface RankingInput {
  context: RequestContext;
  history: HistorySummary;
  genreHourLift: GenreHourTable;
}

/** One candidate as candidate generation returned it, with the song's stored features. */
export interface RankCandidate {
  song: SongFeatures;
  /** Inner product of the query vector and the song embedding (see ann.ts). */
  annScore: number;
  /** 0-based position in the candidate list. */
  annRank: number;
}

type FeatureFn = (input: RankingInput, candidate: RankCandidate) => number;

/**
 * The ranker's features, in the column order of the model's input. The
 * offline training set and the online ranker both call `crossFeatures`, so
 * the model sees the same numbers in training and in serving by construction.
 */
const FEATURES = {
  ann_score: (_, c) => c.annScore,
  ann_rank: (_, c) => c.annRank,
  log_listens: (_, c) => Math.log1p(c.song.listenCount),
  log_region_listens: (input, c) => Math.log1p(c.song.regionListenCounts[input.context.region] ?? 0),
  artist_share: (input, c) => share(input.history.artistCounts.get(c.song.artistId), input.history.size),
  genre_share: (input, c) => share(input.history.genreCounts.get(c.song.genre), input.history.size),
  session_genre_share: (input, c) => input.history.sessionGenreShares.get(c.song.genre) ?? 0,
  hours_since_artist: (input, c) => {
    const last = input.history.lastArtistListenMs.get(c.song.artistId);
    // A listen stamped after `nowMs` (a client on another clock) reads as just now, not as negative hours.
    return last === undefined
      ? NEVER_HOURS
      : Math.min(NEVER_HOURS, Math.max(0, (input.context.nowMs - last) / HOUR_MS));
  },
  release_age_days: (input, c) => Math.max(0, (input.context.nowMs - c.song.releaseMs) / DAY_MS),
  hour_of_day: (input) => input.context.hourOfDay,
  genre_hour_lift: (input, c) => genreHourLift(input.genreHourLift, c.song.genre, input.context.hourOfDay),
  history_size: (input) => input.history.size,
} satisfies Record<string, FeatureFn>;

export type RankerFeature = keyof typeof FEATURES;
export const RANKER_FEATURES = Object.keys(FEATURES) as RankerFeature[];
const FEATURE_FNS: FeatureFn[] = RANKER_FEATURES.map((name) => FEATURES[name]);

/**
 * Row-major `candidates.length x RANKER_FEATURES.length` float32 matrix, the
 * ranker's ONNX input. Pass `out` to reuse a buffer across requests.
 */
export function crossFeatures(
  input: RankingInput,
  candidates: readonly RankCandidate[],
  out = new Float32Array(candidates.length * FEATURE_FNS.length),
): Float32Array {
  const width = FEATURE_FNS.length;
  if (out.length < candidates.length * width) {
    throw new Error(`feature buffer holds ${out.length} floats, ${candidates.length * width} needed`);
  }
  for (let c = 0; c < candidates.length; c++) {
    const candidate = candidates[c]!;
    for (let f = 0; f < width; f++) out[c * width + f] = FEATURE_FNS[f]!(input, candidate);
  }
  return out;
}

function share(count: number | undefined, total: number): number {
  return total === 0 || count === undefined ? 0 : count / total;
}
