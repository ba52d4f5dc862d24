import type { ExplainStage, RuleItem } from '@mlsys/contracts';
import { userVector } from '@mlsys/recs-core';
import type { ServingCatalog, ServingContext } from './catalog.js';
import { popularCandidates } from './fallbacks.js';
import type { RecommendationStages, UserFeatures } from './ports.js';
import type { StageLog } from './stage-log.js';

/**
 * The four steps of a recommendation, one function each. Every step calls
 * its stage through the StageLog (which times it and records a fallback as
 * degraded) and returns what the next step needs plus its `explain` entry.
 */
export interface StepDeps {
  stages: RecommendationStages;
  catalog: ServingCatalog;
  deadlines: { features: number; candidates: number; ranker: number; rules: number };
  log: StageLog;
}

export interface Scored {
  ids: number[];
  scores: number[];
}

export interface UserStep {
  features: UserFeatures | undefined;
  /** The user tower's query; null means cold start (nothing known, or nothing readable in time). */
  vector: Float32Array | null;
  recentIds: number[];
  explain: ExplainStage;
}

/** Step 1: the user's features and the user tower. */
export async function userStep(deps: StepDeps, userId: string, nowMs: number): Promise<UserStep> {
  const fetched = await deps.log.call('features', 'cold start from regional popularity', () =>
    deps.stages.features(userId, deps.deadlines.features),
  );
  const features = fetched?.value;
  const recentIds = features ? [...new Set(features.recentListens.map((l) => l.songId))] : [];
  const vector = features ? deps.log.local('tower', () => queryVector(features, deps.catalog, nowMs)) : null;
  return {
    features,
    vector,
    recentIds,
    explain: featuresExplain(features, fetched !== undefined, recentIds),
  };
}

/** Step 2: nearest songs to the user vector, or the region's popular songs (cold start, or the index failed). */
export async function candidatesStep(
  deps: StepDeps,
  user: UserStep,
  region: string,
): Promise<Scored & { fromIndex: boolean; explain: ExplainStage }> {
  const { catalog } = deps;
  if (user.vector) {
    const vector = Array.from(user.vector);
    const found = await deps.log.call('candidates', 'regional popularity as candidates', () =>
      deps.stages.candidates(
        { vector, k: catalog.candidatesK, exclude: user.recentIds },
        deps.deadlines.candidates,
      ),
    );
    if (found) {
      const { ids, scores, indexVersion } = found.value;
      const explain = {
        source: 'ann',
        detail: `top ${ids.length} by user vector`,
        version: indexVersion,
        ids,
        scores,
      };
      return { ids, scores, fromIndex: true, explain };
    }
  }
  const popular = popularCandidates(catalog, region, catalog.candidatesK, new Set(user.recentIds));
  return {
    ...popular,
    fromIndex: false,
    explain: { source: 'popularity', detail: `most played in ${region}`, ...popular },
  };
}

/**
 * Step 3: the model's order of the candidates; only the `head` the rules
 * will read travels back. Popularity candidates keep their order: the model
 * was trained on ANN candidates and their scores.
 */
export async function rankingStep(
  deps: StepDeps,
  user: UserStep,
  candidates: Scored & { fromIndex: boolean },
  context: ServingContext,
  head: number,
): Promise<Scored & { explain: ExplainStage }> {
  const { ids, scores } = candidates;
  if (!candidates.fromIndex) {
    return {
      ids,
      scores,
      explain: {
        source: 'candidate-order',
        detail: 'popularity candidates keep popularity order',
        ids,
        scores,
      },
    };
  }
  const request = {
    region: context.region,
    nowMs: context.nowMs,
    recentListens: user.features?.recentListens ?? [],
    candidates: { ids, scores },
    limit: head,
  };
  const scored = await deps.log.call('ranker', 'candidate order', () =>
    deps.stages.rank(request, deps.deadlines.ranker),
  );
  if (!scored) {
    return {
      ids,
      scores,
      explain: {
        source: 'candidate-order',
        detail: 'the ranker did not answer; candidate order kept',
        ids,
        scores,
      },
    };
  }
  const { modelVersion, ...ranked } = scored.value;
  return {
    ...ranked,
    explain: { source: 'model', detail: 'LambdaRank on cross features', version: modelVersion, ...ranked },
  };
}

export interface RulesStep {
  /** What the rules chose, or the ranked head when they did not answer. */
  chosen: { songId: number; score: number }[];
  /** The ranked head the rules were given, with its catalog facts. */
  offered: RuleItem[];
  answered: boolean;
  explain: ExplainStage;
}

/** Step 4: the business rules on the ranked head. */
export async function rulesStep(
  deps: StepDeps,
  ranked: Scored,
  context: ServingContext,
  count: number,
  head: number,
): Promise<RulesStep> {
  const offered = ruleItems(deps.catalog, ranked, head);
  const ruled = await deps.log.call('rules', 'licensing and explicit guard only', () =>
    deps.stages.rules({ ...context, count, items: offered }, deps.deadlines.rules),
  );
  if (!ruled) {
    const detail =
      'rules did not answer: licensing, release and explicit checked here, no diversity or freshness';
    return {
      chosen: offered,
      offered,
      answered: false,
      explain: { source: 'local-guard', detail, ...idsAndScores(offered) },
    };
  }
  const { items, changes, policyVersion } = ruled.value;
  const explain = {
    source: 'rules',
    detail: `${changes.length} change(s)`,
    version: policyVersion,
    ...idsAndScores(items),
    changes,
  };
  return { chosen: items, offered, answered: true, explain };
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

function ruleItems(catalog: ServingCatalog, ranked: Scored, limit: number): RuleItem[] {
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
