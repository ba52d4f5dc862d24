import {
  crossFeatures,
  exactTopK,
  hitAtK,
  isAvailable,
  ndcgAtK,
  type RankCandidate,
  recallAtK,
  type UserTowerParams,
} from '@mlsys/recs-core';
import type { SongIndex } from '@mlsys/recs-core/ann';
import type { RankerModel } from '@mlsys/recs-core/ranker-model';
import type { StepProgress } from '../shared/progress.js';
import { type PreparedQuery, type ReplayWorld, replayQueryVector, toRankCandidates } from './replay.js';

const LIST = 10;

/** Quality of one way of building the final list. */
export interface ListQuality {
  hitRateAt10: number;
  ndcgAt10: number;
}

export interface OfflineEvaluation {
  users: number;
  candidates: number;
  /** Share of each user's held-out new songs among the index's top-k, averaged over users. */
  candidateRecall: number;
  /** The same with exact search instead of the index: what the ANN approximation costs. */
  exactCandidateRecall: number;
  /** Recall of the region's k most popular playable songs. */
  popularityRecall: number;
  lists: { popularity: ListQuality; candidateOrder: ListQuality; ranker: ListQuality };
  /** Distinct songs in all users' ranked top 10, over the catalogue size. */
  rankerCatalogCoverage: number;
}

/**
 * The offline report on held-out listens: each evaluated user is replayed
 * at the moment of their first test listen, with the same tower, index,
 * features and model as serving. Final lists drop what the rules stage
 * would (unlicensed in the region, unreleased), then keep the top 10.
 */
export async function evaluateOffline(input: {
  world: ReplayWorld;
  queries: readonly PreparedQuery[];
  index: SongIndex;
  tower: UserTowerParams;
  ranker: RankerModel;
  popularByRegion: Readonly<Record<string, number[]>>;
  candidates: number;
  progress: StepProgress;
}): Promise<OfflineEvaluation> {
  const { world, candidates: k } = input;
  const sums = { candidate: 0, exact: 0, popularity: 0 };
  const lists = { popularity: newTotals(), candidateOrder: newTotals(), ranker: newTotals() };
  const recommended = new Set<number>();
  let users = 0;
  for (const [i, prepared] of input.queries.entries()) {
    if (prepared.targets.size === 0) continue;
    users++;
    const { targets, context } = prepared;
    const playable = (song: RankCandidate['song']) => isAvailable(song, context.region, context.nowMs);
    const query = replayQueryVector(world, prepared, input.tower);

    const hits = input.index.search(query, k, prepared.exclude);
    sums.candidate += recallAtK(hits.ids, targets, k);
    const exact = exactTopK(world.indexVectors, world.dim + 1, query, k, prepared.exclude);
    sums.exact += recallAtK(exact.ids, targets, k);

    const popular = (input.popularByRegion[context.region] ?? []).filter(
      (id) => !prepared.exclude.has(id) && playable(world.songs[id]!),
    );
    sums.popularity += recallAtK(popular, targets, k);
    addList(lists.popularity, popular, targets);

    const candidates = toRankCandidates(world, hits);
    addList(
      lists.candidateOrder,
      candidates.filter((c) => playable(c.song)).map((c) => c.song.id),
      targets,
    );

    const scores = await input.ranker.score(crossFeatures(prepared.ranking, candidates), candidates.length);
    const ranked = candidates
      .map((c, j) => ({ c, score: scores[j]! }))
      .sort((a, b) => b.score - a.score || a.c.annRank - b.c.annRank)
      .filter(({ c }) => playable(c.song))
      .map(({ c }) => c.song.id);
    addList(lists.ranker, ranked, targets);
    for (const id of ranked.slice(0, LIST)) recommended.add(id);

    if (i % 100 === 0) input.progress.update(i / input.queries.length, `${i}/${input.queries.length} users`);
  }
  const mean = (sum: number) => (users === 0 ? 0 : sum / users);
  const quality = (t: Totals): ListQuality => ({ hitRateAt10: mean(t.hits), ndcgAt10: mean(t.ndcg) });
  return {
    users,
    candidates: k,
    candidateRecall: mean(sums.candidate),
    exactCandidateRecall: mean(sums.exact),
    popularityRecall: mean(sums.popularity),
    lists: {
      popularity: quality(lists.popularity),
      candidateOrder: quality(lists.candidateOrder),
      ranker: quality(lists.ranker),
    },
    rankerCatalogCoverage: recommended.size / world.songs.length,
  };
}

interface Totals {
  hits: number;
  ndcg: number;
}

const newTotals = (): Totals => ({ hits: 0, ndcg: 0 });

function addList(totals: Totals, ranked: readonly number[], targets: ReadonlySet<number>): void {
  totals.hits += hitAtK(ranked, targets, LIST);
  totals.ndcg += ndcgAtK(ranked, targets, LIST);
}
