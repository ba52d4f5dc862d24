import {
  type ExplorationParams,
  exactTopK,
  isAvailable,
  recallAtK,
  type UserTowerParams,
} from '@mlsys/recs-core';
import type { SongIndex } from '@mlsys/recs-core/ann';
import type { RankerModel } from '@mlsys/recs-core/ranker-model';
import type { StepProgress } from '../shared/progress.js';
import { type ExplorationTrial, explorationCurve, scoreQuery } from './exploration-tuning.js';
import {
  type FinalList,
  finalList,
  LIST,
  type ListReport,
  reportLists,
  type ScoredQuery,
  type SongSpace,
} from './list-metrics.js';
import type { PreparedQuery, ReplayWorld } from './replay.js';

export interface OfflineEvaluation {
  users: number;
  candidates: number;
  /** Share of each user's held-out new songs among the index's top-k, averaged over users. */
  candidateRecall: number;
  /** The same with exact search instead of the index: what the ANN approximation costs. */
  exactCandidateRecall: number;
  /** Recall of the region's k most popular playable songs. */
  popularityRecall: number;
  /**
   * Final lists: `ranker` is what the ranker service serves (with the
   * manifest's exploration places), `rankerWithoutExploration` the model's
   * plain score order, for comparison.
   */
  lists: {
    popularity: ListReport;
    candidateOrder: ListReport;
    rankerWithoutExploration: ListReport;
    ranker: ListReport;
  };
  /** `lists.ranker.catalogCoverage`, under the name earlier reports used. */
  rankerCatalogCoverage: number;
  /** The tuning step's settings replayed on these users: reported, never used to choose. */
  explorationCurve: ExplorationTrial[];
}

/**
 * The offline report on held-out listens: each evaluated user is replayed
 * at the moment of their first test listen, with the same tower, index,
 * features, model and final ordering (`rankedOrder`, exploration included)
 * as serving. Final lists drop what the rules stage would (unlicensed in the
 * region, unreleased), then keep the top 10.
 */
export async function evaluateOffline(input: {
  world: ReplayWorld;
  queries: readonly PreparedQuery[];
  index: SongIndex;
  tower: UserTowerParams;
  ranker: RankerModel;
  exploration: ExplorationParams | null;
  /** The tuning step's grid, replayed here for the trade-off curve. */
  curve: readonly { quantile: number | null; confidence: number | null }[];
  temperature: number;
  popularByRegion: Readonly<Record<string, number[]>>;
  space: SongSpace;
  candidates: number;
  progress: StepProgress;
}): Promise<OfflineEvaluation> {
  const { world, candidates: k } = input;
  const sums = { candidate: 0, exact: 0, popularity: 0 };
  const popularity: FinalList[] = [];
  const candidateOrder: FinalList[] = [];
  const scored: ScoredQuery[] = [];
  for (const [i, prepared] of input.queries.entries()) {
    if (prepared.targets.size === 0) continue;
    const { targets, context } = prepared;
    const query = await scoreQuery({ ...input, prepared, candidates: k });
    scored.push(query);
    sums.candidate += recallAtK(query.hits.ids, targets, k);
    const exact = exactTopK(world.indexVectors, world.dim + 1, query.vector, k, prepared.exclude);
    sums.exact += recallAtK(exact.ids, targets, k);

    const popular = (input.popularByRegion[context.region] ?? []).filter(
      (id) => !prepared.exclude.has(id) && isAvailable(world.songs[id]!, context.region, context.nowMs),
    );
    sums.popularity += recallAtK(popular, targets, k);
    popularity.push({ ids: popular.slice(0, LIST), targets, explored: 0 });
    candidateOrder.push({
      ids: Array.from(query.ids).filter(query.playable).slice(0, LIST),
      targets,
      explored: 0,
    });
    if (i % 100 === 0) input.progress.update(i / input.queries.length, `${i}/${input.queries.length} users`);
  }
  const users = scored.length;
  const mean = (sum: number) => (users === 0 ? 0 : sum / users);
  const ranker = reportLists(
    scored.map((q) => finalList(q, input.exploration)),
    input.space,
  );
  return {
    users,
    candidates: k,
    candidateRecall: mean(sums.candidate),
    exactCandidateRecall: mean(sums.exact),
    popularityRecall: mean(sums.popularity),
    lists: {
      popularity: reportLists(popularity, input.space),
      candidateOrder: reportLists(candidateOrder, input.space),
      rankerWithoutExploration: reportLists(
        scored.map((q) => finalList(q, null)),
        input.space,
      ),
      ranker,
    },
    rankerCatalogCoverage: ranker.catalogCoverage,
    explorationCurve: explorationCurve(scored, input.curve, input.temperature, input.space),
  };
}
