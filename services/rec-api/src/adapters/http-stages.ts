import {
  CandidatesResponse,
  decodeFloat32,
  decodeInt32,
  encodeFloat32,
  encodeInt32,
  RankResponse,
  RulesResponse,
} from '@mlsys/contracts';
import { JsonServiceClient, ServiceContractError, type TimingEntry } from '@mlsys/http-client';
import type {
  Candidates,
  RankCall,
  RecommendationStages,
  StageAnswer,
  UserFeatures,
} from '../domain/ports.js';

export interface StageUrls {
  candidateGen: string;
  ranker: string;
  rules: string;
}

/** Where the user's features come from (a read of the feature store's Redis: see online-features.ts). */
export type FeatureSource = Pick<RecommendationStages, 'features'>;

/**
 * The stages: the features from `featureSource`, the other three over HTTP,
 * one keep-alive pool per service, each call given up at its deadline (and
 * left to finish in the background: see @mlsys/http-client). Bodies are
 * validated against the contracts on the way in.
 */
export class HttpRecommendationStages implements RecommendationStages {
  private readonly clients: JsonServiceClient[];
  private readonly candidateGen: JsonServiceClient;
  private readonly ranker: JsonServiceClient;
  private readonly rulesService: JsonServiceClient;

  constructor(
    private readonly featureSource: FeatureSource,
    urls: StageUrls,
    connections = 32,
  ) {
    this.candidateGen = new JsonServiceClient({
      service: 'candidate-gen',
      baseUrl: urls.candidateGen,
      connections,
    });
    this.ranker = new JsonServiceClient({ service: 'ranker', baseUrl: urls.ranker, connections });
    this.rulesService = new JsonServiceClient({ service: 'rules', baseUrl: urls.rules, connections });
    this.clients = [this.candidateGen, this.ranker, this.rulesService];
  }

  features(userId: string, deadlineMs: number): Promise<StageAnswer<UserFeatures | undefined>> {
    return this.featureSource.features(userId, deadlineMs);
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
