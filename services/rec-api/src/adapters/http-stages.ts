import {
  CandidatesResponse,
  decodeFloat32,
  decodeInt32,
  encodeFloat32,
  encodeInt32,
  RankResponse,
  RulesResponse,
  UserFeaturesResponse,
} from '@mlsys/contracts';
import {
  JsonServiceClient,
  ServiceContractError,
  ServiceStatusError,
  type TimingEntry,
} from '@mlsys/http-client';
import type {
  Candidates,
  RankCall,
  RecommendationStages,
  StageAnswer,
  UserFeatures,
} from '../domain/ports.js';

export interface StageUrls {
  featureStore: string;
  candidateGen: string;
  ranker: string;
  rules: string;
}

/**
 * The stages over HTTP: one keep-alive pool per service, each call aborted
 * at its deadline. Bodies are validated against the contracts on the way in.
 */
export class HttpRecommendationStages implements RecommendationStages {
  private readonly clients: JsonServiceClient[];
  private readonly featureStore: JsonServiceClient;
  private readonly candidateGen: JsonServiceClient;
  private readonly ranker: JsonServiceClient;
  private readonly rulesService: JsonServiceClient;

  constructor(urls: StageUrls, connections = 32) {
    this.featureStore = new JsonServiceClient({
      service: 'feature-store',
      baseUrl: urls.featureStore,
      connections,
    });
    this.candidateGen = new JsonServiceClient({
      service: 'candidate-gen',
      baseUrl: urls.candidateGen,
      connections,
    });
    this.ranker = new JsonServiceClient({ service: 'ranker', baseUrl: urls.ranker, connections });
    this.rulesService = new JsonServiceClient({ service: 'rules', baseUrl: urls.rules, connections });
    this.clients = [this.featureStore, this.candidateGen, this.ranker, this.rulesService];
  }

  async features(userId: string, deadlineMs: number): Promise<StageAnswer<UserFeatures | undefined>> {
    try {
      const answer = await this.featureStore.get(
        `/v1/users/${encodeURIComponent(userId)}/features`,
        UserFeaturesResponse,
        { deadlineMs },
      );
      const body = answer.body;
      return {
        value: {
          featureVersion: body.featureVersion,
          region: body.region,
          embedding: body.embedding === null ? null : decodeFloat32(body.embedding),
          recentListens: body.recentListens,
          recentSongEmbeddings: new Map(
            body.recentSongEmbeddings.map((s) => [s.songId, decodeFloat32(s.embedding)]),
          ),
        },
        timings: timings(answer.serverTiming),
      };
    } catch (error) {
      // An unknown user is an answer (cold start), not a failure of the stage.
      if (error instanceof ServiceStatusError && error.status === 404)
        return { value: undefined, timings: [] };
      throw error;
    }
  }

  async candidates(
    request: { vector: number[]; k: number; exclude: number[] },
    deadlineMs: number,
  ): Promise<StageAnswer<Candidates>> {
    const answer = await this.candidateGen.post('/v1/candidates', request, CandidatesResponse, {
      deadlineMs,
    });
    const { candidates, indexVersion } = answer.body;
    const ids = decodeInt32(candidates.ids);
    const scores = decodeFloat32(candidates.scores);
    if (ids.length !== scores.length) {
      throw new ServiceContractError(
        'candidate-gen',
        `${ids.length} candidate ids but ${scores.length} scores`,
      );
    }
    return {
      value: { ids: Array.from(ids), scores: Array.from(scores), indexVersion },
      timings: timings(answer.serverTiming),
    };
  }

  async rank(request: RankCall, deadlineMs: number): Promise<StageAnswer<RankResponse>> {
    const { ids, scores } = request.candidates;
    const packed = {
      ...request,
      candidates: {
        ids: encodeInt32(Int32Array.from(ids)),
        scores: encodeFloat32(Float32Array.from(scores)),
      },
    };
    const answer = await this.ranker.post('/v1/rank', packed, RankResponse, { deadlineMs });
    return { value: answer.body, timings: timings(answer.serverTiming) };
  }

  async rules(request: Parameters<RecommendationStages['rules']>[0], deadlineMs: number) {
    const answer = await this.rulesService.post('/v1/apply', request, RulesResponse, { deadlineMs });
    return { value: answer.body, timings: timings(answer.serverTiming) };
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
  }
}

const timings = (entries: TimingEntry[]) => entries.map(({ name, ms }) => ({ name, ms }));
