import { describe, expect, it } from 'vitest';
import { type RecommendRequest, recommend } from '../src/domain/recommend.js';
import { FakeStages, NOW, smallCatalog } from './fakes.js';

const catalog = smallCatalog();
const deadlines = { features: 10, candidates: 10, ranker: 10, rules: 10 };
const run = (stages: FakeStages, overrides: Partial<RecommendRequest> = {}) =>
  recommend(
    { stages, catalog, deadlines, rulesOverfetch: 5, now: () => NOW },
    { userId: 'u1', region: 'US', count: 10, allowExplicit: true, ...overrides },
  );
const licensedInUs = (ids: number[]) => ids.every((id) => catalog.songs[id]!.licensedRegions.includes('US'));

describe('recommend', () => {
  it('when every stage answers, then the list is the rules output of the ranked candidates, not degraded', async () => {
    const stages = new FakeStages();

    const result = await run(stages);

    expect(stages.calls).toEqual(['features', 'candidates', 'ranker', 'rules']);
    expect(result.degraded).toEqual([]);
    expect(result.coldStart).toBe(false);
    expect(result.items).toHaveLength(10);
    expect(licensedInUs(result.items.map((i) => i.songId))).toBe(true);
    expect(result.explain.ranking.source).toBe('model');
    expect(result.timings.map((t) => t.name)).toEqual([
      'features.redis',
      'features',
      'tower',
      'candidates.ann',
      'candidates',
      'ranker.model',
      'ranker',
      'rules.rules',
      'rules',
      'guard',
    ]);
    expect(result.computeMs).toBeGreaterThanOrEqual(1 + 2 + 3 + 0.5);
  });

  it('when the user just listened to a song, then candidate generation is asked to exclude it', async () => {
    const stages = new FakeStages();
    const asked: number[][] = [];
    const original = stages.candidatesOf;
    stages.candidatesOf = (request) => {
      asked.push(request.exclude);
      return original(request);
    };

    await run(stages);

    expect(asked).toEqual([[1]]);
  });

  it('when the ranker is called, then it is asked only for the head the rules will look at', async () => {
    const stages = new FakeStages();
    const limits: (number | undefined)[] = [];
    const original = stages.rankOf;
    stages.rankOf = (request) => {
      limits.push(request.limit);
      return original(request);
    };

    await run(stages, { count: 4 });

    expect(limits).toEqual([4 * 5]);
  });

  it('when the user is unknown, then the list is a cold start from regional popularity and not degraded', async () => {
    const stages = new FakeStages();
    stages.featuresOf = () => undefined;

    const result = await run(stages);

    expect(result.coldStart).toBe(true);
    expect(result.degraded).toEqual([]);
    expect(stages.calls).toEqual(['features', 'rules']);
    expect(result.items.map((i) => i.songId)).toEqual(catalog.popularByRegion.get('US')!.slice(0, 10));
  });

  it('when the feature store fails, then a licensed cold start is served, flagged degraded at features with the reason', async () => {
    const result = await run(
      new FakeStages().failing('features', 'feature-store did not answer within 10 ms'),
    );

    expect(result.coldStart).toBe(true);
    expect(result.degraded).toEqual([
      {
        stage: 'features',
        reason: 'feature-store did not answer within 10 ms',
        fallback: 'cold start from regional popularity',
      },
    ]);
    expect(result.items).toHaveLength(10);
    expect(licensedInUs(result.items.map((i) => i.songId))).toBe(true);
  });

  it('when candidate generation fails, then popularity candidates are served without the ranker, flagged degraded', async () => {
    const stages = new FakeStages().failing('candidates');

    const result = await run(stages);

    expect(stages.calls).toEqual(['features', 'candidates', 'rules']);
    expect(result.degraded.map((d) => d.stage)).toEqual(['candidates']);
    expect(result.explain.candidates.source).toBe('popularity');
    expect(result.items.map((i) => i.songId)).not.toContain(1);
  });

  it('when the ranker fails, then candidate order is kept, flagged degraded at ranker', async () => {
    const result = await run(new FakeStages().failing('ranker'));

    expect(result.degraded.map((d) => [d.stage, d.fallback])).toEqual([['ranker', 'candidate order']]);
    expect(result.explain.ranking.source).toBe('candidate-order');
    // Candidates come best first as 59, 58, ...: the licensed ones among them lead.
    expect(result.items[0]!.songId).toBe(29);
  });

  it('when the rules fail, then the gateway still removes unlicensed and (if asked) explicit songs', async () => {
    const result = await run(new FakeStages().failing('rules'), { allowExplicit: false });

    expect(result.degraded.map((d) => d.stage)).toEqual(['rules']);
    expect(result.explain.rules.source).toBe('local-guard');
    const ids = result.items.map((i) => i.songId);
    expect(ids).toHaveLength(10);
    expect(licensedInUs(ids)).toBe(true);
    expect(ids.some((id) => catalog.songs[id]!.explicit)).toBe(false);
  });

  it('when every stage fails, then the answer is still a licensed list with all four stages named', async () => {
    const stages = new FakeStages()
      .failing('features')
      .failing('candidates')
      .failing('ranker')
      .failing('rules');

    const result = await run(stages);

    expect(result.degraded.map((d) => d.stage)).toEqual(['features', 'rules']);
    expect(result.items).toHaveLength(10);
    expect(licensedInUs(result.items.map((i) => i.songId))).toBe(true);
  });

  it('when the rules service lets unlicensed songs through, then the guard replaces them with licensed ones and counts the miss', async () => {
    const stages = new FakeStages();
    // The ranker keeps candidate order, whose head (songs 59, 58, ...) is licensed in GB only.
    stages.rankOf = ({ candidates }) => ({
      ids: [...candidates.ids],
      scores: [...candidates.scores],
      modelVersion: 'm1',
    });
    stages.rulesOf = (request) => ({
      items: request.items.slice(0, request.count).map(({ songId, score }) => ({ songId, score })),
      changes: [],
      policyVersion: 'broken',
    });

    const result = await run(stages);

    expect(licensedInUs(result.items.map((i) => i.songId))).toBe(true);
    expect(result.rulesMissed).toBe(10);
    expect(result.items).toHaveLength(10);
  });
});
