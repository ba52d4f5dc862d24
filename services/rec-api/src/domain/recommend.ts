import type { DegradedStage, ExplainStage, RecommendedSong, RuleItem } from '@mlsys/contracts';
import { userVector } from '@mlsys/recs-core';
import { mayServe, type ServingCatalog, type ServingContext } from './catalog.js';
import { popularCandidates } from './fallbacks.js';
import type { RecommendationStages, StageTiming, UserFeatures } from './ports.js';
import { StageLog } from './stage-log.js';

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
  /** The rules get `count x rulesOverfetch` ranked songs, so removals still leave `count`. */
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
  const { catalog, stages, deadlines } = deps;
  const log = new StageLog();
  const context: ServingContext = {
    region: request.region,
    nowMs: deps.now(),
    allowExplicit: request.allowExplicit,
  };

  // 1. Features and the user tower.
  const fetched = await log.call('features', 'cold start from regional popularity', () =>
    stages.features(request.userId, deadlines.features),
  );
  const features = fetched?.value;
  const vector = features ? log.local('tower', () => queryVector(features, catalog, context.nowMs)) : null;
  const recentIds = features ? [...new Set(features.recentListens.map((l) => l.songId))] : [];
  const coldStart = vector === null;

  // 2. Candidates.
  let candidates: { ids: number[]; scores: number[] } | undefined;
  let candidatesExplain: ExplainStage | undefined;
  if (vector) {
    const found = await log.call('candidates', 'regional popularity as candidates', () =>
      stages.candidates(
        { vector: Array.from(vector), k: catalog.candidatesK, exclude: recentIds },
        deadlines.candidates,
      ),
    );
    if (found) {
      const { ids, scores, indexVersion } = found.value;
      candidates = { ids, scores };
      candidatesExplain = {
        source: 'ann',
        detail: `top ${ids.length} by user vector`,
        version: indexVersion,
        ids,
        scores,
      };
    }
  }
  const fromIndex = candidates !== undefined;
  if (!candidates)
    candidates = popularCandidates(catalog, context.region, catalog.candidatesK, new Set(recentIds));

  // 3. Ranking: only the head the rules will look at travels back.
  const rulesInput = request.count * deps.rulesOverfetch;
  let ranked = candidates;
  let rankingExplain: ExplainStage = {
    source: 'candidate-order',
    detail: 'popularity candidates are served in popularity order',
    ...candidates,
  };
  if (fromIndex) {
    const scored = await log.call('ranker', 'candidate order', () =>
      stages.rank(
        {
          region: context.region,
          nowMs: context.nowMs,
          recentListens: features?.recentListens ?? [],
          candidates: candidates!,
          limit: rulesInput,
        },
        deadlines.ranker,
      ),
    );
    if (scored) {
      ranked = scored.value;
      rankingExplain = {
        source: 'model',
        detail: 'LambdaRank on cross features',
        version: scored.value.modelVersion,
        ids: scored.value.ids,
        scores: scored.value.scores,
      };
    } else {
      rankingExplain = {
        source: 'candidate-order',
        detail: 'the ranker did not answer; candidate order kept',
        ...candidates,
      };
    }
  }

  // 4. Business rules, then the guard on every song served.
  const items = ruleItems(catalog, ranked, rulesInput);
  const ruled = await log.call('rules', 'licensing and explicit guard only', () =>
    stages.rules({ ...context, count: request.count, items }, deadlines.rules),
  );
  const chosen = ruled ? ruled.value.items : items;
  const rulesExplain: ExplainStage = ruled
    ? {
        source: 'rules',
        detail: `${ruled.value.changes.length} change(s)`,
        version: ruled.value.policyVersion,
        ...idsAndScores(chosen),
        changes: ruled.value.changes,
      }
    : {
        source: 'local-guard',
        detail:
          'rules did not answer: licensing, release and explicit checked here, no diversity or freshness',
        ...idsAndScores(chosen),
      };

  const servable = (item: { songId: number }) => mayServe(catalog.songs[item.songId]!, context);
  const allowed = log.local('guard', () => chosen.filter(servable));
  // Should the guard have removed songs the rules passed, the next servable ranked songs take their places.
  const served =
    allowed.length >= request.count
      ? allowed.slice(0, request.count)
      : topUp(allowed, items.filter(servable), request.count);
  return {
    items: served.map((item) => toRecommended(catalog, item)),
    degraded: log.degraded,
    coldStart,
    explain: {
      features: featuresExplain(features, fetched !== undefined, recentIds),
      candidates: candidatesExplain ?? {
        source: 'popularity',
        detail: `most played in ${context.region}`,
        ...candidates,
      },
      ranking: rankingExplain,
      rules: rulesExplain,
    },
    timings: log.timings,
    computeMs: log.totalComputeMs,
    rulesMissed: ruled ? chosen.length - allowed.length : 0,
  };
}

function topUp<T extends { songId: number }>(head: readonly T[], more: readonly T[], count: number): T[] {
  const seen = new Set(head.map((i) => i.songId));
  return [...head, ...more.filter((i) => !seen.has(i.songId))].slice(0, count);
}

/** The user tower over the long-term embedding and the recent listens whose song embedding is known. */
function queryVector(features: UserFeatures, catalog: ServingCatalog, nowMs: number): Float32Array | null {
  const recent = [];
  for (const listen of features.recentListens) {
    const vector = features.recentSongEmbeddings.get(listen.songId);
    if (vector) recent.push({ vector, timestampMs: listen.timestampMs });
  }
  return userVector(features.embedding, recent, { nowMs }, catalog.userTower);
}

function ruleItems(
  catalog: ServingCatalog,
  ranked: { ids: number[]; scores: number[] },
  limit: number,
): RuleItem[] {
  return ranked.ids.slice(0, limit).map((songId, i) => {
    const song = catalog.songs[songId]!;
    return {
      songId,
      score: ranked.scores[i]!,
      artistId: song.artistId,
      genre: song.genre,
      releaseMs: song.releaseMs,
      licensedRegions: [...song.licensedRegions],
      explicit: song.explicit,
    };
  });
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

const idsAndScores = (items: readonly { songId: number; score: number }[]) => ({
  ids: items.map((i) => i.songId),
  scores: items.map((i) => i.score),
});

function featuresExplain(
  features: UserFeatures | undefined,
  answered: boolean,
  recentIds: number[],
): ExplainStage {
  if (!answered) return { source: 'none', detail: 'the feature store did not answer', ids: [] };
  if (!features) return { source: 'none', detail: 'the feature store does not know this user', ids: [] };
  const parts = [
    features.embedding ? 'long-term embedding' : 'no long-term embedding',
    `${features.recentListens.length} recent listen(s)`,
  ];
  if (features.region) parts.push(`home region ${features.region}`);
  return {
    source: 'feature-store',
    detail: parts.join(', '),
    version: features.featureVersion,
    ids: recentIds,
  };
}
