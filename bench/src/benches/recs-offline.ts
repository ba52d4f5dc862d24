// `npm run bench -- recs-offline [--profile default|tiny]`: the recommendation models' offline quality
// on held-out listens, next to its baselines, plus the measured choices behind the serving set.
//
// Everything is computed by the training pipeline (packages/training, `recs --profile P`), which this
// runs first: its steps are cached, so with unchanged code and data it only confirms the artifact set
// is current. Read from the set's offline-report.json:
// - candidate stage: recall@k of the HNSW top-k (k = 1000 on default), of exact search with the same
//   query (what the ANN approximation costs), and of the region's k most popular songs;
// - final list: HR@10 / NDCG@10 of the ranker as served (its order with the exploration places the
//   artifact set ships), of the ranker's plain score order, of the candidate order without the
//   ranker, and of the popularity baseline, after the rules stage's licensing/release filter;
// - how wide and varied the final lists are, for each of those list builders:
//   - catalogue coverage at 10: distinct songs in all evaluated users' top 10 / catalogue size;
//   - novelty: the mean popularity rank of the recommended songs (1 = the most played song of the
//     training window; higher = less popular songs reach the lists);
//   - intra-list diversity: per list, 1 - the mean cosine over the 45 pairs of its songs' ALS
//     embeddings (0 = ten songs of one taste direction, 1 = unrelated songs), averaged over lists;
// - the exploration places: the confidence chosen on the tuning users (quantile of their 10th-best
//   score with the widest catalogue at most 5 % below the plain order's NDCG@10), the tuning trials,
//   and the same settings replayed on the evaluation users (reported, never used to choose);
// - the HNSW sweep, the user-tower blend trials, the ranker's training summary and ONNX parity.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SLO } from '@mlsys/load-tests/slo';
import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';
import { buildResult, type RunResult, writeResult } from '@mlsys/results';
import { resultsDir } from '../paths.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Runs (or confirms, when cached) the recs training pipeline for a profile; returns its artifact folder. */
export function prepareRecsArtifacts(profile: string): string {
  const cli = join(root, 'packages', 'training', 'src', 'cli.ts');
  const run = spawnSync(
    process.execPath,
    ['--conditions=@mlsys/source', '--import', 'tsx', cli, 'recs', '--profile', profile],
    { cwd: root, stdio: 'inherit' },
  );
  if (run.status !== 0)
    throw new Error(`the recs training pipeline failed for profile ${profile} (exit ${run.status})`);
  return join(root, '.cache', 'artifacts', 'recs', profile);
}

interface ListReport {
  hitRateAt10: number;
  ndcgAt10: number;
  catalogCoverage: number;
  meanPopularityRank: number;
  intraListDiversity: number;
  exploredPlaces: number;
}

interface ExplorationTrial extends ListReport {
  quantile: number | null;
  confidence: number | null;
}

/** The parts of offline-report.json this benchmark reports (written by packages/training/src/recs). */
interface OfflineReport {
  data: Record<string, number>;
  split: Record<string, number>;
  hnsw: {
    recallTarget: number;
    queries: number;
    chosen: { m: number; efConstruction: number; ef: number; recall: number; p50Ms: number; p99Ms: number };
    rows: Record<string, number>[];
    nodeAgreement: { queries: number; sameOrder: number; overlap: number };
  };
  userTower: { params: Record<string, number>; trials: Record<string, number>[] };
  exploration: {
    params: { confidence: number; temperature: number } | null;
    users: number;
    maxNdcgLoss: number;
    temperature: number;
    trials: ExplorationTrial[];
  };
  ranker: {
    summary: { trees: number; validNdcgAt10: number; featureGain: Record<string, number> };
    parity: { rows: number; maxAbsDiff: number };
    data: Record<string, unknown>;
  };
  evaluation: {
    users: number;
    candidates: number;
    candidateRecall: number;
    exactCandidateRecall: number;
    popularityRecall: number;
    lists: {
      popularity: ListReport;
      candidateOrder: ListReport;
      rankerWithoutExploration: ListReport;
      ranker: ListReport;
    };
    rankerCatalogCoverage: number;
    explorationCurve: ExplorationTrial[];
  };
}

const round = (value: number, digits = 4) => Number(value.toFixed(digits));

export async function run(args: string[]): Promise<RunResult> {
  const { values } = parseArgs({ args, options: { profile: { type: 'string', default: 'default' } } });
  const profile = values.profile!;
  const startedAt = new Date();
  const artifacts = loadRecsArtifacts(prepareRecsArtifacts(profile));
  const report = JSON.parse(readFileSync(artifacts.path('offlineReport'), 'utf8')) as OfflineReport;
  const { evaluation: e, hnsw, ranker, exploration } = report;
  const k = e.candidates;
  const { popularity, candidateOrder, ranker: ranked, rankerWithoutExploration: plain } = e.lists;
  const chosen = exploration.trials.find((t) => t.confidence === (exploration.params?.confidence ?? null));
  const trial = (t: ExplorationTrial) =>
    Object.fromEntries(
      Object.entries(t).map(([key, value]) => [key, typeof value === 'number' ? round(value, 4) : value]),
    );
  const towerTrials = report.userTower.trials;
  const bestWithoutRecent = Math.max(
    ...towerTrials.filter((t) => t.recentWeight === 0).map((t) => t.recall!),
  );
  const bestTrial = Math.max(...towerTrials.map((t) => t.recall!));

  const result = buildResult({
    name: 'recs-offline',
    startedAt,
    params: {
      profile,
      artifact_version: artifacts.manifest.artifactVersion,
      data: report.data,
      split: report.split,
      candidates_k: k,
      hnsw: { m: hnsw.chosen.m, efConstruction: hnsw.chosen.efConstruction, efSearch: hnsw.chosen.ef },
      user_tower: report.userTower.params,
      ranker_trees: ranker.summary.trees,
      exploration: {
        confidence: exploration.params?.confidence ?? null,
        temperature: exploration.temperature,
        quantile: chosen?.quantile ?? null,
        max_ndcg_loss: exploration.maxNdcgLoss,
        tuning_users: exploration.users,
      },
    },
    metrics: {
      eval_users: e.users,
      [`candidate_recall_at_${k}`]: round(e.candidateRecall),
      [`exact_search_recall_at_${k}`]: round(e.exactCandidateRecall),
      [`popularity_recall_at_${k}`]: round(e.popularityRecall),
      hr_at_10_ranker: round(ranked.hitRateAt10),
      ndcg_at_10_ranker: round(ranked.ndcgAt10),
      hr_at_10_candidate_order: round(candidateOrder.hitRateAt10),
      ndcg_at_10_candidate_order: round(candidateOrder.ndcgAt10),
      hr_at_10_popularity: round(popularity.hitRateAt10),
      ndcg_at_10_popularity: round(popularity.ndcgAt10),
      hr_at_10_ranker_without_exploration: round(plain.hitRateAt10),
      ndcg_at_10_ranker_without_exploration: round(plain.ndcgAt10),
      // Ratios measured in the same run: what each stage adds.
      ndcg_ranker_over_candidate_order: round(ranked.ndcgAt10 / candidateOrder.ndcgAt10, 3),
      ndcg_ranker_over_popularity: round(ranked.ndcgAt10 / popularity.ndcgAt10, 3),
      candidate_recall_tower_over_long_term_only: round(bestTrial / bestWithoutRecent, 3),
      ndcg_exploration_over_plain_order: round(ranked.ndcgAt10 / plain.ndcgAt10, 3),
      // Breadth of the final lists (definitions in the header).
      ranker_catalog_coverage_at_10: round(e.rankerCatalogCoverage),
      ranker_catalog_coverage_at_10_without_exploration: round(plain.catalogCoverage),
      candidate_order_catalog_coverage_at_10: round(candidateOrder.catalogCoverage),
      popularity_catalog_coverage_at_10: round(popularity.catalogCoverage),
      coverage_exploration_over_plain_order: round(ranked.catalogCoverage / plain.catalogCoverage, 2),
      novelty_mean_popularity_rank_ranker: Math.round(ranked.meanPopularityRank),
      novelty_mean_popularity_rank_ranker_without_exploration: Math.round(plain.meanPopularityRank),
      novelty_mean_popularity_rank_candidate_order: Math.round(candidateOrder.meanPopularityRank),
      novelty_mean_popularity_rank_popularity: Math.round(popularity.meanPopularityRank),
      intra_list_diversity_ranker: round(ranked.intraListDiversity),
      intra_list_diversity_ranker_without_exploration: round(plain.intraListDiversity),
      intra_list_diversity_candidate_order: round(candidateOrder.intraListDiversity),
      intra_list_diversity_popularity: round(popularity.intraListDiversity),
      explored_places_per_list: round(ranked.exploredPlaces, 2),
      exploration_tuning: exploration.trials.map(trial),
      exploration_curve_eval_users: e.explorationCurve.map(trial),
      // The index as chosen by the sweep, on the sweep's tower queries (SLO names: see load-tests/src/slo.ts).
      recall_at_1000: round(hnsw.chosen.recall),
      ann_p50_ms_in_sweep: round(hnsw.chosen.p50Ms, 3),
      ann_p99_ms_in_sweep: round(hnsw.chosen.p99Ms, 3),
      onnx_parity_max_abs_diff: ranker.parity.maxAbsDiff,
      ranker_valid_ndcg_at_10: round(ranker.summary.validNdcgAt10),
      hnsw_sweep: hnsw.rows.map((row) =>
        Object.fromEntries(Object.entries(row).map(([key, value]) => [key, round(value, 4)])),
      ),
      user_tower_trials: towerTrials,
      ranker_feature_gain: ranker.summary.featureGain,
    },
    slo: k === 1000 ? [SLO.recs.annRecall] : [],
    notes: [
      `held-out listens: the last ${report.split.holdoutListens} of each user; targets are songs the user had never played; final lists keep only songs licensed in the user's region and released`,
      `HNSW chosen by a sweep on ${hnsw.queries} tower queries: the fastest (M, efConstruction, ef) with recall@${k} >= ${hnsw.recallTarget}; ANN latency here is measured inside the pipeline, see \`npm run bench -- ann\` for the latency SLO`,
      exploration.params
        ? `exploration places: candidates scoring below ${exploration.params.confidence} (the ${chosen?.quantile} quantile of the ${exploration.users} tuning users' 10th-best score) are drawn from the user's candidates, weighted exp(score / ${exploration.temperature}); chosen on the tuning users as the widest catalogue with NDCG@10 at most ${exploration.maxNdcgLoss * 100} % below the plain order's`
        : `exploration places: none (no tried confidence kept NDCG@10 within ${exploration.maxNdcgLoss * 100} % of the plain order's on the tuning users)`,
      `hnswlib-node reads the Python-built index: ${(hnsw.nodeAgreement.overlap * 100).toFixed(2)}% of neighbours shared, ${hnsw.nodeAgreement.sameOrder}/${hnsw.nodeAgreement.queries} queries in the same order (ties can swap between AVX-512 and SSE distance kernels)`,
      ...(k === 1000 ? [] : [`profile ${profile} asks for top ${k}, not 1000: the recall SLO is not judged`]),
    ],
  });
  writeResult(join(resultsDir, 'recs-offline.json'), result);
  return result;
}
