import { decodeFloat32, decodeInt32 } from '@mlsys/contracts';
import { candidateQuery, dot, normalizeInPlace, row, songIndexVector } from '@mlsys/recs-core';
import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { testArtifactsDir } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HnswCandidateIndex } from '../src/adapters/hnsw-index.js';
import { buildApp } from '../src/app.js';

const artifacts = loadRecsArtifacts(testArtifactsDir('recs'));
const { dim, artifactVersion, hnsw, userTower } = artifacts.manifest;
const songEmbeddings = artifacts.readSongEmbeddings();
const userEmbeddings = artifacts.readUserEmbeddings();
const songs = artifacts.readSongs();
let app: ReturnType<typeof buildApp>;

beforeAll(() => {
  app = buildApp({
    index: HnswCandidateIndex.load(artifacts),
    indexVersion: artifactVersion,
    indexParams: { efSearch: String(artifacts.manifest.hnsw.efSearch) },
    logger: createLogger({ service: 'candidate-gen', level: 'silent' }),
    metrics: createMetrics('candidate-gen', { defaultMetrics: false }),
    version: 'test',
  });
});
afterAll(() => app.close());

/** A query as the user tower builds one: the unit taste direction plus the popularity weight. */
const userVector = (user: number) =>
  Array.from(
    candidateQuery(normalizeInPlace(row(userEmbeddings, dim, user).slice()), userTower!.popularityWeight),
  );
/** The vector the index holds for a song. */
const indexVector = (song: number) =>
  songIndexVector(row(songEmbeddings, dim, song), songs[song]!.listenCount, hnsw.popularityScale!);
const candidates = (payload: object) => app.inject({ method: 'POST', url: '/v1/candidates', payload });
/** The packed candidate list of an answer, decoded. */
const unpack = (body: { candidates: { ids: string; scores: string } }) => ({
  ids: Array.from(decodeInt32(body.candidates.ids)),
  scores: Array.from(decodeFloat32(body.candidates.scores)),
});

describe('POST /v1/candidates', () => {
  it('when asked for k songs, then k distinct songs come back best first, each scored q . v', async () => {
    const vector = userVector(3);

    const res = await candidates({ vector, k: 100 });

    expect(res.statusCode).toBe(200);
    expect(res.json().indexVersion).toBe(artifactVersion);
    const { ids, scores } = unpack(res.json());
    expect(ids).toHaveLength(100);
    expect(new Set(ids).size).toBe(100);
    expect(scores).toHaveLength(100);
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThanOrEqual(scores[i - 1]!);
    for (let i = 0; i < 5; i++) {
      expect(scores[i]).toBeCloseTo(dot(vector, indexVector(ids[i]!)), 4);
    }
    expect(res.headers['server-timing']).toMatch(/^ann;dur=/);
  });

  it('when songs are excluded, then none of them is returned and k are still returned', async () => {
    const vector = userVector(5);
    const first = unpack((await candidates({ vector, k: 20 })).json()).ids;

    const res = await candidates({ vector, k: 20, exclude: first.slice(0, 10) });

    const { ids } = unpack(res.json());
    expect(ids).toHaveLength(20);
    expect(ids.filter((id) => first.slice(0, 10).includes(id))).toEqual([]);
    expect(ids.slice(0, 10)).toEqual(first.slice(10));
  });

  it('when the vector has the wrong dimension, then 400 names the vector and the expected size', async () => {
    const res = await candidates({ vector: [1, 2, 3], k: 10 });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields).toEqual([
      { field: 'vector', reason: `must have ${hnsw.dim} numbers (the index dimension), got 3` },
    ]);
  });

  it('when k is above 2000, then 400 names k', async () => {
    const res = await candidates({ vector: userVector(1), k: 2001 });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields.map((f: { field: string }) => f.field)).toEqual(['k']);
  });

  it('when asked for readiness, then the index version is reported', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json().artifacts.index).toBe(artifactVersion);
  });
});
