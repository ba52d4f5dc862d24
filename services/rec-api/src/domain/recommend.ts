import type { DegradedStage, ExplainStage, RecommendedSong } from '@mlsys/contracts';
import { mayServe, type ServingCatalog, type ServingContext } from './catalog.js';
import type { RecommendationStages, StageTiming } from './ports.js';
import { StageLog } from './stage-log.js';
import { candidatesStep, rankingStep, rulesStep, userStep } from './stage-steps.js';

/** Per-stage budgets in ms; their sum bounds the answer time of a request whose stages all hang. */
export interface StageDeadlines {
  features: number;
  candidates: number;
  ranker: number;
  rules: number;
}

export interface RecommendDeps {
  stages: RecommendationStages;
  catalog: ServingCatalog;
  deadlines: StageDeadlines;
  /** The rules get `count x rulesOverfetch` ranked songs. */
  rulesOverfetch: number;
  now: () => number;
}

export interface RecommendRequest {
  userId: string;
  region: string;
  count: number;
  allowExplicit: boolean;
}

export interface RecommendResult {
  items: RecommendedSong[];
  degraded: DegradedStage[];
  coldStart: boolean;
  explain: { features: ExplainStage; candidates: ExplainStage; ranking: ExplainStage; rules: ExplainStage };
  timings: StageTiming[];
  computeMs: number;
  /** Songs the rules service let through that the guard then removed: a rules bug when nonzero. */
  rulesMissed: number;
}

/**
 * One recommendation request through the four stages, each under its own
 * deadline with a fallback:
 *
 *   features   -> unknown or failed: cold start from regional popularity
 *   candidates -> late or failed: regional popularity as candidates
 *   ranker     -> late or failed: candidate order (skipped for popularity
 *                 candidates: the model was trained on ANN candidates)
 *   rules      -> late or failed: the licensing/explicit guard alone
 *
 * The guard (`mayServe`) then runs on every song served, degraded or not.
 */
export async function recommend(deps: RecommendDeps, request: RecommendRequest): Promise<RecommendResult> {
  const { catalog } = deps;
  const log = new StageLog();
  const steps = { stages: deps.stages, catalog, deadlines: deps.deadlines, log };
  const context: ServingContext = {
    region: request.region,
    nowMs: deps.now(),
    allowExplicit: request.allowExplicit,
  };
  // The rules see count x overfetch ranked songs, so their removals still leave `count`.
  const head = request.count * deps.rulesOverfetch;

  const user = await userStep(steps, request.userId, context.nowMs);
  const candidates = await candidatesStep(steps, user, context.region);
  const ranked = await rankingStep(steps, user, candidates, context, head);
  const ruled = await rulesStep(steps, ranked, context, request.count, head);

  const servable = (item: { songId: number }) => mayServe(catalog.songs[item.songId]!, context);
  const allowed = log.local('guard', () => ruled.chosen.filter(servable));
  // Should the guard have removed songs the rules passed, the next servable ranked songs take their places.
  const served =
    allowed.length >= request.count
      ? allowed.slice(0, request.count)
      : topUp(allowed, ruled.offered.filter(servable), request.count);
  return {
    items: served.map((item) => toRecommended(catalog, item)),
    degraded: log.degraded,
    coldStart: user.vector === null,
    explain: {
      features: user.explain,
      candidates: candidates.explain,
      ranking: ranked.explain,
      rules: ruled.explain,
    },
    timings: log.timings,
    computeMs: log.totalComputeMs,
    rulesMissed: ruled.answered ? ruled.chosen.length - allowed.length : 0,
  };
}

function topUp<T extends { songId: number }>(head: readonly T[], more: readonly T[], count: number): T[] {
  const seen = new Set(head.map((i) => i.songId));
  return [...head, ...more.filter((i) => !seen.has(i.songId))].slice(0, count);
}

function toRecommended(catalog: ServingCatalog, item: { songId: number; score: number }): RecommendedSong {
  const song = catalog.songs[item.songId]!;
  return {
    songId: item.songId,
    score: item.score,
    artistId: song.artistId,
    genre: catalog.genres[song.genre] ?? String(song.genre),
    explicit: song.explicit,
    releaseMs: song.releaseMs,
  };
}
