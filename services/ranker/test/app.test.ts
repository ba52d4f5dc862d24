import { encodeFloat32, encodeInt32 } from '@mlsys/contracts';
import { crossFeatures, localHour, rankedOrder, summarizeHistory } from '@mlsys/recs-core';
import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';
import type { RankerModel } from '@mlsys/recs-core/ranker-model';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { testArtifactsDir } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRankerModel } from '../src/adapters/onnx-model.js';
import { buildApp } from '../src/app.js';
import { buildCatalog } from '../src/domain/catalog.js';

const artifacts = loadRecsArtifacts(testArtifactsDir('recs'));
const { artifactVersion, regions } = artifacts.manifest;
const songs = artifacts.readSongs();
const genreHourLift = artifacts.readGenreHourLift();
const NOW = Date.UTC(2026, 2, 1, 18);
let model: RankerModel;
let app: ReturnType<typeof buildApp>;

beforeAll(async () => {
  model = await loadRankerModel(artifacts);
  app = buildApp({
    model,
    catalog: buildCatalog(songs, genreHourLift, regions),
    modelVersion: artifactVersion,
    modelInfo: {},
    logger: createLogger({ service: 'ranker', level: 'silent' }),
    metrics: createMetrics('ranker', { defaultMetrics: false }),
    version: 'test',
  });
});
afterAll(async () => {
  await app.close();
  await model.close();
});

/** n catalog songs with descending float32 scores, as plain arrays. */
const scored = (n: number) => ({
  ids: Array.from({ length: n }, (_, i) => (i * 7) % songs.length),
  scores: Array.from({ length: n }, (_, i) => Math.fround(1 - i / n)),
});
/** The wire form of a candidate list. */
const pack = ({ ids, scores }: { ids: number[]; scores: number[] }) => ({
  ids: encodeInt32(Int32Array.from(ids)),
  scores: encodeFloat32(Float32Array.from(scores)),
});
const candidates = (n: number) => pack(scored(n));
const recentListens = [
  { songId: 11, timestampMs: NOW - 3_600_000 },
  { songId: 12, timestampMs: NOW - 600_000 },
];
const rank = (payload: object) => app.inject({ method: 'POST', url: '/v1/rank', payload });

describe('POST /v1/rank', () => {
  it('when candidates are sent, then all of them come back ordered by the score the offline feature code and model give', async () => {
    const sent = scored(200);

    const res = await rank({ region: 'US', nowMs: NOW, recentListens, candidates: pack(sent) });

    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect([...body.ids].sort((a: number, b: number) => a - b)).toEqual([...sent.ids].sort((a, b) => a - b));
    expect(body.modelVersion).toBe(artifactVersion);
    const us = regions.find((r) => r.code === 'US')!;
    const features = crossFeatures(
      {
        context: { nowMs: NOW, region: 'US', hourOfDay: localHour(NOW, us.utcOffsetHours) },
        history: summarizeHistory(recentListens, (id) => songs[id]),
        genreHourLift,
      },
      sent.ids.map((id, annRank) => ({ song: songs[id]!, annScore: sent.scores[annRank]!, annRank })),
    );
    const expected = await model.score(features, sent.ids.length);
    const expectedById = new Map(sent.ids.map((id, i) => [id, expected[i]!]));
    for (const [i, id] of (body.ids as number[]).entries())
      expect(body.scores[i]).toBeCloseTo(expectedById.get(id)!, 5);
    for (let i = 1; i < body.scores.length; i++)
      expect(body.scores[i]).toBeLessThanOrEqual(body.scores[i - 1]);
    expect(res.headers['server-timing']).toMatch(/^features;dur=[\d.]+, model;dur=[\d.]+$/);
  });

  it('when a limit is given, then only the best that many come back, in the same order as without it', async () => {
    const all = (await rank({ region: 'US', nowMs: NOW, recentListens, candidates: candidates(300) })).json();

    const res = await rank({
      region: 'US',
      nowMs: NOW,
      recentListens,
      candidates: candidates(300),
      limit: 25,
    });

    expect(res.json().ids).toEqual(all.ids.slice(0, 25));
    expect(res.json().scores).toEqual(all.scores.slice(0, 25));
  });

  it('when 2000 candidates are sent, then all 2000 are scored', async () => {
    const res = await rank({ region: 'JP', nowMs: NOW, recentListens: [], candidates: candidates(2000) });
    expect(res.statusCode).toBe(200);
    expect(res.json().ids).toHaveLength(2000);
  });

  it('when the region is unknown, then 400 names the region and lists the known ones', async () => {
    const res = await rank({ region: 'ZZ', recentListens: [], candidates: candidates(3) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields).toEqual([
      { field: 'region', reason: `must be one of ${regions.map((r) => r.code).join(', ')}` },
    ]);
  });

  it('when a candidate is not in the catalog or scores are missing, then 400 names those fields', async () => {
    const res = await rank({
      region: 'US',
      recentListens: [],
      candidates: pack({ ids: [1, songs.length + 5], scores: [0.5] }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields.map((f: { field: string }) => f.field)).toEqual([
      'candidates.scores',
      'candidates.ids',
    ]);
  });

  it('when the packed ids are not whole int32s, then 400 names candidates.ids and why', async () => {
    const res = await rank({
      region: 'US',
      recentListens: [],
      candidates: { ids: Buffer.from([1, 2, 3, 4, 5]).toString('base64'), scores: pack(scored(1)).scores },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields).toEqual([
      { field: 'candidates.ids', reason: 'an int32 array needs a multiple of 4 bytes, got 5' },
    ]);
  });

  it('when more than 2000 candidates are sent, then 400 names candidates.ids', async () => {
    const res = await rank({ region: 'US', recentListens: [], candidates: candidates(2001) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields).toEqual([
      { field: 'candidates.ids', reason: 'must hold at most 2000 songs, got 2001' },
    ]);
  });

  it('when asked for readiness, then the model version is reported', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.json().artifacts.model).toBe(artifactVersion);
  });
});

describe('POST /v1/rank with exploration places', () => {
  it("when the artifact set ships exploration, then the order is recs-core's rankedOrder of the model's scores, the function the offline evaluation calls", async () => {
    const sent = scored(300);
    const plain = (await rank({ region: 'US', nowMs: NOW, recentListens, candidates: pack(sent) })).json();
    // The confidence at the 20th-best score: the first 20 places keep the model's order, the rest are drawn.
    const exploration = { confidence: plain.scores[19], temperature: 1 };
    const exploring = buildApp({
      model,
      catalog: buildCatalog(songs, genreHourLift, regions),
      modelVersion: artifactVersion,
      modelInfo: {},
      exploration,
      logger: createLogger({ service: 'ranker', level: 'silent' }),
      metrics: createMetrics('ranker', { defaultMetrics: false }),
      version: 'test',
    });
    try {
      const res = await exploring.inject({
        method: 'POST',
        url: '/v1/rank',
        payload: { region: 'US', nowMs: NOW, recentListens, candidates: pack(sent) },
      });

      const body = res.json();
      const scoreById = new Map((plain.ids as number[]).map((id, i) => [id, plain.scores[i] as number]));
      const modelScores = Float32Array.from(sent.ids, (id) => scoreById.get(id)!);
      const expected = rankedOrder(Int32Array.from(sent.ids), modelScores, exploration).map(
        (i) => sent.ids[i],
      );
      expect(body.ids).toEqual(expected);
      expect(body.ids.slice(0, 20)).toEqual(plain.ids.slice(0, 20));
      expect(body.ids.slice(20)).not.toEqual(plain.ids.slice(20));
      // Scores stay the model's: an explored song shows its own score where it was placed.
      for (const [i, id] of (body.ids as number[]).entries()) expect(body.scores[i]).toBe(scoreById.get(id));
    } finally {
      await exploring.close();
    }
  });
});

describe('catalog', () => {
  it('when songs are not ordered by id, then building the catalog fails', () => {
    expect(() => buildCatalog([songs[1]!, songs[0]!], genreHourLift, regions)).toThrow('row 0 holds song 1');
  });
});
