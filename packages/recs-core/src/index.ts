export {
  type AvailabilityContext,
  type AvailabilityFacts,
  type AvailabilityRule,
  isAvailable,
  unavailableBy,
} from './availability.js';
export { candidateQuery, popularityScale, songIndexVector } from './candidate-space.js';
export {
  describeServingClock,
  SERVING_CLOCK_MODES,
  type ServingClockMode,
  type ServingClockOptions,
  type ServingClockSummary,
  servingClock,
  servingClockEnv,
  servingClockFromEnv,
} from './clock.js';
export {
  crossFeatures,
  RANKER_FEATURES,
  type RankCandidate,
  type RankerFeature,
  type RankingInput,
} from './cross-features.js';
export { exactTopK, type ScoredIds } from './exact-search.js';
export { type ExplorationParams, explorationSeed, rankedOrder } from './exploration.js';
export { buildGenreHourTable, type GenreHourTable, genreHourLift } from './genre-hour-lift.js';
export { type HistorySummary, type SongLookup, summarizeHistory } from './history.js';
export { hitAtK, ndcgAtK, recallAtK } from './metrics.js';
export { localHour } from './time.js';
export {
  RECENT_LISTENS_KEPT,
  type RecentListen,
  type RegionInfo,
  type RequestContext,
  type SongFeatures,
  type UserFeatures,
} from './types.js';
export { type RecentSongVector, type UserTowerParams, userVector } from './user-tower.js';
export { cosine, dot, normalizeInPlace, row } from './vector.js';
