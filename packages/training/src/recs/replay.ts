import type { recs } from '@mlsys/datagen';
import {
  type GenreHourTable,
  localHour,
  type RankCandidate,
  type RankingInput,
  RECENT_LISTENS_KEPT,
  type RecentListen,
  type RequestContext,
  row,
  type ScoredIds,
  type SongFeatures,
  summarizeHistory,
  type UserTowerParams,
  userVector,
} from '@mlsys/recs-core';
import type { ReplayQuery } from './split.js';

/**
 * Replays a moment of the data through the online code path: what the
 * feature store would hold for the user at that time (last 50 listens,
 * long-term embedding), the request context, the tower's query vector and
 * the ranker's input. Tuning, the ranker's training set and the offline
 * report all go through here, so they measure what serving would do.
 */
export interface ReplayWorld {
  dataset: recs.RecsDataset;
  songs: readonly SongFeatures[];
  songEmbeddings: Float32Array;
  userEmbeddings: Float32Array;
  dim: number;
  /** The index's song vectors (dim + 1 each, see candidate-space.ts in recs-core). */
  indexVectors: Float32Array;
  genreHourLift: GenreHourTable;
}

export interface PreparedQuery {
  query: ReplayQuery;
  context: RequestContext;
  /** The last RECENT_LISTENS_KEPT listens before the moment, oldest first. */
  recent: RecentListen[];
  /** What serving excludes from candidates: the songs of the recent listens. */
  exclude: Set<number>;
  /** Songs listened to in the target rows that the user had never played before: what a good list finds. */
  targets: Set<number>;
  ranking: RankingInput;
}

export function prepareQuery(world: ReplayWorld, query: ReplayQuery): PreparedQuery {
  const { listens, meta, userRegion } = world.dataset;
  const start = listens.userStart[query.user]!;
  const recent: RecentListen[] = [];
  for (let r = Math.max(start, query.historyEnd - RECENT_LISTENS_KEPT); r < query.historyEnd; r++) {
    recent.push({ songId: listens.song[r]!, timestampMs: listens.timeMs[r]! });
  }
  const everPlayed = new Set<number>();
  for (let r = start; r < query.historyEnd; r++) everPlayed.add(listens.song[r]!);
  const targets = new Set<number>();
  for (let r = query.historyEnd; r < query.targetEnd; r++) {
    const song = listens.song[r]!;
    if (!everPlayed.has(song)) targets.add(song);
  }
  const region = meta.regions[userRegion[query.user]!]!;
  const nowMs = listens.timeMs[query.historyEnd]!;
  const context: RequestContext = {
    nowMs,
    region: region.code,
    hourOfDay: localHour(nowMs, region.utcOffsetHours),
  };
  const songOf = (id: number) => world.songs[id];
  return {
    query,
    context,
    recent,
    exclude: new Set(recent.map((listen) => listen.songId)),
    targets,
    ranking: { context, history: summarizeHistory(recent, songOf), genreHourLift: world.genreHourLift },
  };
}

/** The tower's query for this moment (dim + 1 floats): the long-term embedding blended with the recent listens. */
export function replayQueryVector(
  world: ReplayWorld,
  prepared: PreparedQuery,
  params: UserTowerParams,
): Float32Array {
  const longTerm = row(world.userEmbeddings, world.dim, prepared.query.user);
  const recent = prepared.recent.map((listen) => ({
    vector: row(world.songEmbeddings, world.dim, listen.songId),
    timestampMs: listen.timestampMs,
  }));
  // Every replayed user has history, so the tower always has something to go on.
  return userVector(longTerm, recent, prepared.context, params)!;
}

/** Candidates as the ranker sees them: every returned song, its position and score. */
export function toRankCandidates(world: ReplayWorld, hits: ScoredIds): RankCandidate[] {
  return Array.from(hits.ids, (id, annRank) => ({
    song: world.songs[id]!,
    annScore: hits.scores[annRank]!,
    annRank,
  }));
}
