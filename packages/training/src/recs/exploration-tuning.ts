import {
  crossFeatures,
  type ExplorationParams,
  isAvailable,
  type ScoredIds,
  type UserTowerParams,
} from '@mlsys/recs-core';
import type { SongIndex } from '@mlsys/recs-core/ann';
import type { RankerModel } from '@mlsys/recs-core/ranker-model';
import type { StepProgress } from '../shared/progress.js';
import {
  finalList,
  LIST,
  type ListReport,
  reportLists,
  type ScoredQuery,
  type SongSpace,
} from './list-metrics.js';
import { type PreparedQuery, type ReplayWorld, replayQueryVector, toRankCandidates } from './replay.js';
import type { ServingSettings } from './settings.js';

/** One setting of the exploration places and what it did to the lists. */
export interface ExplorationTrial extends ListReport {
  /** Quantile of the tuning users' 10th-best score the confidence was set at; null: no exploration. */
  quantile: number | null;
  confidence: number | null;
}

export interface ExplorationTuning {
  /** What the manifest ships; null when no setting kept NDCG within the allowed loss. */
  params: ExplorationParams | null;
  users: number;
  maxNdcgLoss: number;
  temperature: number;
  /** The plain order first, then one per quantile, on the tuning users. */
  trials: ExplorationTrial[];
}

/** One user's moment through the serving path up to the model's scores (tower, index, features, model). */
export async function scoreQuery(input: {
  world: ReplayWorld;
  prepared: PreparedQuery;
  index: SongIndex;
  tower: UserTowerParams;
  ranker: RankerModel;
  candidates: number;
}): Promise<ScoredQuery & { vector: Float32Array; hits: ScoredIds }> {
  const { world, prepared } = input;
  const vector = replayQueryVector(world, prepared, input.tower);
  const hits = input.index.search(vector, input.candidates, prepared.exclude);
  const candidates = toRankCandidates(world, hits);
  const scores = await input.ranker.score(crossFeatures(prepared.ranking, candidates), candidates.length);
  const { region, nowMs } = prepared.context;
  return {
    vector,
    hits,
    ids: Int32Array.from(hits.ids),
    scores,
    playable: (id) => isAvailable(world.songs[id]!, region, nowMs),
    targets: prepared.targets,
  };
}

/** The lists at each setting of `confidences` (null: the plain order), for a trade-off curve. */
export function explorationCurve(
  queries: readonly ScoredQuery[],
  settings: readonly { quantile: number | null; confidence: number | null }[],
  temperature: number,
  space: SongSpace,
): ExplorationTrial[] {
  return settings.map(({ quantile, confidence }) => {
    const params = confidence === null ? null : { confidence, temperature };
    return {
      quantile,
      confidence,
      ...reportLists(
        queries.map((q) => finalList(q, params), space),
        space,
      ),
    };
  });
}

/**
 * Picks the exploration places on the tuning users (held out of the ranker's
 * fitting, see ranker-dataset.ts): the confidence is tried at quantiles of
 * their 10th-best playable score (at quantile q, about a share q of them
 * explore at least their 10th place), and the widest catalogue whose NDCG@10
 * stays within `maxNdcgLoss` of the plain order's wins.
 */
export async function tuneExploration(input: {
  world: ReplayWorld;
  queries: readonly PreparedQuery[];
  index: SongIndex;
  tower: UserTowerParams;
  ranker: RankerModel;
  settings: ServingSettings;
  space: SongSpace;
  progress: StepProgress;
}): Promise<ExplorationTuning> {
  const { settings } = input;
  const { quantiles, temperature, maxNdcgLoss } = settings.exploration;
  const scored: ScoredQuery[] = [];
  for (const [i, prepared] of input.queries.entries()) {
    if (prepared.targets.size === 0) continue;
    scored.push(await scoreQuery({ ...input, prepared, candidates: settings.candidates }));
    if (i % 100 === 0) input.progress.update(i / input.queries.length, `${i}/${input.queries.length} users`);
  }
  const tenth = scored
    .map((q) => tenthBestPlayable(q))
    .filter((score): score is number => score !== undefined)
    .sort((a, b) => a - b);
  const grid = [
    { quantile: null, confidence: null },
    ...quantiles.map((quantile) => ({ quantile, confidence: quantileOf(tenth, quantile) })),
  ];
  const trials = explorationCurve(scored, grid, temperature, input.space);
  const best = pickTrial(trials, maxNdcgLoss);
  return {
    params: best.confidence === null ? null : { confidence: best.confidence, temperature },
    users: scored.length,
    maxNdcgLoss,
    temperature,
    trials,
  };
}

/** The widest catalogue among the trials within `maxNdcgLoss` of the first (the plain order), which always qualifies. */
export function pickTrial(trials: readonly ExplorationTrial[], maxNdcgLoss: number): ExplorationTrial {
  const floor = (1 - maxNdcgLoss) * trials[0]!.ndcgAt10;
  return trials
    .filter((t, i) => i === 0 || t.ndcgAt10 >= floor)
    .reduce((best, t) => (t.catalogCoverage > best.catalogCoverage ? t : best));
}

function tenthBestPlayable(query: ScoredQuery): number | undefined {
  const playable = Array.from(query.scores).filter((_, i) => query.playable(query.ids[i]!));
  if (playable.length < LIST) return undefined;
  return playable.sort((a, b) => b - a)[LIST - 1];
}

/** Linear interpolation between the closest ranks of an ascending array; 4 significant digits, as shipped. */
function quantileOf(sorted: readonly number[], q: number): number {
  const at = q * (sorted.length - 1);
  const low = Math.floor(at);
  const high = Math.min(sorted.length - 1, low + 1);
  const value = sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
  return Number(value.toPrecision(4));
}

/** The step's one-line summary: what was chosen and what it cost on the tuning users. */
export function describeExploration(tuned: ExplorationTuning): string {
  const plain = tuned.trials[0]!;
  const chosen = tuned.trials.find((t) => t.confidence === (tuned.params?.confidence ?? null)) ?? plain;
  const coverage = (t: ExplorationTrial) => `${(t.catalogCoverage * 100).toFixed(2)} %`;
  return tuned.params === null
    ? `no setting kept NDCG@10 within ${tuned.maxNdcgLoss * 100} % on ${tuned.users} tuning users: plain order`
    : `confidence ${tuned.params.confidence} (quantile ${chosen.quantile}): coverage ${coverage(plain)} -> ${coverage(chosen)}, NDCG@10 ${plain.ndcgAt10.toFixed(4)} -> ${chosen.ndcgAt10.toFixed(4)} on ${tuned.users} tuning users`;
}
