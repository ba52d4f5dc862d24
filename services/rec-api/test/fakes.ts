import type { RulesRequest } from '@mlsys/contracts';
import type { SongFeatures } from '@mlsys/recs-core';
import type { ServingCatalog } from '../src/domain/catalog.js';
import type {
  Candidates,
  RankCall,
  RecommendationStages,
  StageAnswer,
  UserFeatures,
} from '../src/domain/ports.js';

export const NOW = Date.UTC(2026, 5, 1);
const YEAR_MS = 365 * 86_400_000;

/**
 * 60 songs, 2-d embeddings. Songs 0-29 are licensed everywhere; 30-59 only
 * in GB. Every fifth song is explicit. Artist = id, genre = id % 3.
 */
export function smallCatalog(): ServingCatalog {
  const songs: SongFeatures[] = Array.from({ length: 60 }, (_, id) => ({
    id,
    artistId: id,
    genre: id % 3,
    releaseMs: NOW - YEAR_MS,
    licensedRegions: id < 30 ? ['US', 'GB'] : ['GB'],
    explicit: id % 5 === 0,
    listenCount: 100 - id,
    regionListenCounts: {},
  }));
  return {
    artifactVersion: 'test-artifacts',
    songs,
    genres: ['pop', 'rock', 'jazz'],
    regions: new Map([
      ['US', { code: 'US', utcOffsetHours: -5 }],
      ['GB', { code: 'GB', utcOffsetHours: 0 }],
    ]),
    // As the offline pipeline writes them: licensed in the region, most played first.
    popularByRegion: new Map([
      ['US', songs.filter((s) => s.licensedRegions.includes('US')).map((s) => s.id)],
      ['GB', songs.map((s) => s.id)],
    ]),
    userTower: { recentWeight: 0.5, positionDecay: 0.8, halfLifeHours: 24, popularityWeight: 0.1 },
    candidatesK: 50,
  };
}

type Behaviour<I, O> = (input: I) => Promise<O> | O;
const fail = (message: string) => () => {
  throw new Error(message);
};

/** Stages answering from plain functions; a test swaps in a failing one. Calls are recorded. */
export class FakeStages implements RecommendationStages {
  readonly calls: string[] = [];
  featuresOf: Behaviour<string, UserFeatures | undefined> = () => ({
    featureVersion: 'fv1',
    region: 'US',
    embedding: Float32Array.of(1, 0),
    recentListens: [{ songId: 1, timestampMs: NOW - 1000 }],
    recentSongEmbeddings: new Map([[1, Float32Array.of(0.9, 0.1)]]),
  });
  // The index returns every song, unlicensed ones included (it knows nothing about regions).
  candidatesOf: Behaviour<{ vector: number[]; k: number; exclude: number[] }, Candidates> = ({
    k,
    exclude,
  }) => {
    const ids = Array.from({ length: 60 }, (_, i) => 59 - i)
      .filter((id) => !exclude.includes(id))
      .slice(0, k);
    return { ids, scores: ids.map((_, r) => 1 - r / 100), indexVersion: 'idx1' };
  };
  rankOf: Behaviour<RankCall, { ids: number[]; scores: number[]; modelVersion: string }> = (request) => ({
    ids: [...request.candidates.ids].reverse(),
    scores: request.candidates.ids.map((_, i) => 10 - i),
    modelVersion: 'm1',
  });
  rulesOf: Behaviour<
    RulesRequest,
    { items: { songId: number; score: number }[]; changes: never[]; policyVersion: string }
  > = (request) => ({
    items: request.items
      .filter((i) => i.licensedRegions.includes(request.region) && (request.allowExplicit || !i.explicit))
      .slice(0, request.count)
      .map(({ songId, score }) => ({ songId, score })),
    changes: [],
    policyVersion: 'p1',
  });

  failing(stage: 'features' | 'candidates' | 'ranker' | 'rules', message = `${stage} is down`): this {
    if (stage === 'features') this.featuresOf = fail(message);
    if (stage === 'candidates') this.candidatesOf = fail(message);
    if (stage === 'ranker') this.rankOf = fail(message);
    if (stage === 'rules') this.rulesOf = fail(message);
    return this;
  }

  async features(userId: string): Promise<StageAnswer<UserFeatures | undefined>> {
    this.calls.push('features');
    return { value: await this.featuresOf(userId), timings: [{ name: 'redis', ms: 1 }] };
  }
  async candidates(request: { vector: number[]; k: number; exclude: number[] }) {
    this.calls.push('candidates');
    return { value: await this.candidatesOf(request), timings: [{ name: 'ann', ms: 2 }] };
  }
  async rank(request: RankCall) {
    this.calls.push('ranker');
    return { value: await this.rankOf(request), timings: [{ name: 'model', ms: 3 }] };
  }
  async rules(request: RulesRequest) {
    this.calls.push('rules');
    return { value: await this.rulesOf(request), timings: [{ name: 'rules', ms: 0.5 }] };
  }
}
