import { createLogger, createMetrics } from '@mlsys/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { FakeStages, NOW, smallCatalog } from './fakes.js';

let app: ReturnType<typeof buildApp> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function build(stages = new FakeStages()) {
  app = buildApp({
    stages,
    catalog: smallCatalog(),
    deadlines: { features: 10, candidates: 10, ranker: 10, rules: 10 },
    rulesOverfetch: 5,
    logger: createLogger({ service: 'rec-api', level: 'silent' }),
    metrics: createMetrics('rec-api', { defaultMetrics: false }),
    version: 'test',
    now: () => NOW,
  });
  return app;
}
const get = (url: string, stages?: FakeStages) => build(stages).inject({ method: 'GET', url });
const fields = (res: { json(): { error: { fields: { field: string }[] } } }) =>
  res.json().error.fields.map((f) => f.field);

describe('GET /v1/recommendations/:userId', () => {
  it('when the request is valid, then count songs come back with Server-Timing for every stage', async () => {
    const res = await get('/v1/recommendations/u1?count=7&region=US');

    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items).toHaveLength(7);
    expect(body).toMatchObject({
      userId: 'u1',
      region: 'US',
      degraded: false,
      degradedStages: [],
      coldStart: false,
      artifactVersion: 'test-artifacts',
    });
    expect(body).not.toHaveProperty('explain');
    const names = (res.headers['server-timing'] as string).split(', ').map((m) => m.split(';')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'features',
        'candidates',
        'ranker',
        'rules',
        'candidates.ann',
        'ranker.model',
        'compute',
        'total',
      ]),
    );
  });

  it('when count is omitted, then 20 songs are asked for', async () => {
    const res = await get('/v1/recommendations/u1?region=GB');
    expect(res.json().items).toHaveLength(20);
  });

  it('when explain=true, then each stage output is in the answer', async () => {
    const res = await get('/v1/recommendations/u1?region=US&count=5&explain=true');

    const { explain } = res.json();
    expect(explain.features).toMatchObject({ source: 'feature-store', ids: [1], version: 'fv1' });
    expect(explain.candidates).toMatchObject({ source: 'ann', version: 'idx1' });
    expect(explain.ranking).toMatchObject({ source: 'model', version: 'm1' });
    expect(explain.rules).toMatchObject({ source: 'rules', version: 'p1', changes: [] });
  });

  it('when a stage fails, then 200 with degraded naming the stage', async () => {
    const res = await get(
      '/v1/recommendations/u1?region=US',
      new FakeStages().failing('ranker', 'ranker did not answer within 10 ms'),
    );

    expect(res.statusCode).toBe(200);
    expect(res.json().degraded).toBe(true);
    expect(res.json().degradedStages).toEqual([
      { stage: 'ranker', reason: 'ranker did not answer within 10 ms', fallback: 'candidate order' },
    ]);
  });

  it.each([
    ['count=0', 'count'],
    ['count=101', 'count'],
    ['count=ten', 'count'],
    ['explain=maybe', 'explain'],
  ])('when the query has %s, then 400 names %s', async (query, field) => {
    const res = await get(`/v1/recommendations/u1?region=US&${query}`);
    expect(res.statusCode).toBe(400);
    expect(fields(res)).toEqual([field]);
  });

  it('when the region is missing, then 400 names region', async () => {
    const res = await get('/v1/recommendations/u1');
    expect(res.statusCode).toBe(400);
    expect(fields(res)).toEqual(['region']);
  });

  it('when the region is well-formed but unknown, then 400 names region and lists the known ones', async () => {
    const res = await get('/v1/recommendations/u1?region=ZZ');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields).toEqual([{ field: 'region', reason: 'must be one of US, GB' }]);
    expect(res.json().error.message).toBe('querystring.region must be one of US, GB');
  });

  it('when the user id has characters outside the id alphabet, then 400 names userId', async () => {
    const res = await get('/v1/recommendations/a%20b?region=US');
    expect(res.statusCode).toBe(400);
    expect(fields(res)).toEqual(['userId']);
  });
});
