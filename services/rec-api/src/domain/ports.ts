import type { RankRequest, RankResponse, RecentListen, RulesRequest, RulesResponse } from '@mlsys/contracts';

/** A `Server-Timing` metric a stage reported about its own work. */
export interface StageTiming {
  name: string;
  ms: number;
}

/** A stage's answer and the callee's own account of its compute time. */
export interface StageAnswer<T> {
  value: T;
  timings: StageTiming[];
}

/** What the feature store knows about a user, decoded. */
export interface UserFeatures {
  featureVersion: string;
  region: string | null;
  embedding: Float32Array | null;
  /** Oldest first. */
  recentListens: RecentListen[];
  recentSongEmbeddings: ReadonlyMap<number, Float32Array>;
}

/** A rank request as the pipeline builds it: the candidate list as plain arrays (the adapter packs it). */
export interface RankCall extends Omit<RankRequest, 'candidates'> {
  candidates: { ids: readonly number[]; scores: readonly number[] };
}

export interface Candidates {
  ids: number[];
  scores: number[];
  indexVersion: string;
}

/**
 * The four stages behind the gateway. Each call must settle within
 * `deadlineMs` (resolving, or rejecting with an Error whose message says why
 * it gave up); the pipeline then falls back.
 */
export interface RecommendationStages {
  /** Undefined when the feature store does not know the user (a new user, not a failure). */
  features(userId: string, deadlineMs: number): Promise<StageAnswer<UserFeatures | undefined>>;
  candidates(
    request: { vector: number[]; k: number; exclude: number[] },
    deadlineMs: number,
  ): Promise<StageAnswer<Candidates>>;
  rank(request: RankCall, deadlineMs: number): Promise<StageAnswer<RankResponse>>;
  rules(request: RulesRequest, deadlineMs: number): Promise<StageAnswer<RulesResponse>>;
}
