import { MAX_CANDIDATES, type RankRequest } from '@mlsys/contracts';
import {
  crossFeatures,
  type ExplorationParams,
  localHour,
  type RankCandidate,
  rankedOrder,
  summarizeHistory,
} from '@mlsys/recs-core';
import type { RankerCatalog } from './catalog.js';
import type { ScoringModel } from './ports.js';

/** A rank request with its packed candidate list decoded. */
export interface RankInput extends Omit<RankRequest, 'candidates'> {
  candidates: { ids: Int32Array; scores: Float32Array };
}

export interface Ranked {
  ids: number[];
  scores: number[];
  /** Where the time went, for Server-Timing. */
  featuresMs: number;
  modelMs: number;
}

/** What is wrong with a request the catalog cannot serve (unknown region or song), per field; empty when fine. */
export function requestProblems(
  catalog: RankerCatalog,
  request: RankInput,
): { field: string; reason: string }[] {
  const problems: { field: string; reason: string }[] = [];
  if (!catalog.regions.has(request.region)) {
    problems.push({ field: 'region', reason: `must be one of ${[...catalog.regions.keys()].join(', ')}` });
  }
  const { ids, scores } = request.candidates;
  if (ids.length !== scores.length) {
    problems.push({
      field: 'candidates.scores',
      reason: `must have one score per id (${ids.length} ids, ${scores.length} scores)`,
    });
  }
  if (ids.length > MAX_CANDIDATES) {
    problems.push({
      field: 'candidates.ids',
      reason: `must hold at most ${MAX_CANDIDATES} songs, got ${ids.length}`,
    });
  }
  const unknown = ids.find((id) => id < 0 || id >= catalog.songs.length);
  if (unknown !== undefined) {
    problems.push({
      field: 'candidates.ids',
      reason: `song ${unknown} is not in the catalog (${catalog.songs.length} songs)`,
    });
  }
  return problems;
}

/**
 * Scores every candidate with one model call on the features training used
 * (`crossFeatures` from recs-core), and returns them in serving order:
 * best first, except that with `exploration` (the artifact set's, tuned with
 * the model) the places the model is not confident about are drawn from the
 * user's other candidates (`rankedOrder`, the same function the offline
 * evaluation calls). Scores are the model's, so an explored song shows its
 * lower score where it was placed. `ann_rank` is the candidate's position in
 * the request, as candidate generation ordered it. With `limit`, only the
 * first that many come back. Assumes `requestProblems` found nothing.
 */
export async function rankCandidates(
  model: ScoringModel,
  catalog: RankerCatalog,
  request: RankInput,
  nowMs: number,
  exploration?: ExplorationParams | null,
): Promise<Ranked> {
  const started = performance.now();
  const region = catalog.regions.get(request.region)!;
  const songOf = (id: number) => catalog.songs[id];
  const input = {
    context: { nowMs, region: region.code, hourOfDay: localHour(nowMs, region.utcOffsetHours) },
    history: summarizeHistory(request.recentListens, songOf),
    genreHourLift: catalog.genreHourLift,
  };
  const { ids, scores: annScores } = request.candidates;
  const candidates: RankCandidate[] = Array.from(ids, (id, annRank) => ({
    song: catalog.songs[id]!,
    annScore: annScores[annRank]!,
    annRank,
  }));
  const features = crossFeatures(input, candidates);
  const featuresDone = performance.now();

  const scores = await model.score(features, candidates.length);
  const modelDone = performance.now();

  // Best score first (equal scores keep candidate generation's order), then the explored places.
  const order = rankedOrder(ids, scores, exploration, request.limit ?? ids.length);
  return {
    ids: order.map((i) => ids[i]!),
    scores: order.map((i) => scores[i]!),
    featuresMs: featuresDone - started,
    modelMs: modelDone - featuresDone,
  };
}
