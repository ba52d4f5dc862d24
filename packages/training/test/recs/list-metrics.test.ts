import { describe, expect, it } from 'vitest';
import { type ExplorationTrial, pickTrial } from '../../src/recs/exploration-tuning.js';
import { finalList, reportLists, type ScoredQuery, songSpace } from '../../src/recs/list-metrics.js';

// Four songs in 2-d: 0 and 1 point the same way, 2 is orthogonal to them, 3 was never played (zero vector).
const space = songSpace([50, 10, 30, 0], Float32Array.from([1, 0, 2, 0, 0, 3, 0, 0]), 2);

describe('list metrics', () => {
  it('when songs are ranked by listens, then the most played is rank 1 and ties keep the id order', () => {
    expect(Array.from(space.popularityRank)).toEqual([1, 3, 2, 4]);
  });

  it('when lists are reported, then coverage, novelty and diversity follow their definitions', () => {
    const report = reportLists(
      [
        { ids: [0, 1], targets: new Set([1]), explored: 0 },
        { ids: [0, 2], targets: new Set([9]), explored: 2 },
      ],
      space,
    );

    expect(report.catalogCoverage).toBe(3 / 4);
    expect(report.hitRateAt10).toBe(0.5);
    expect(report.ndcgAt10).toBeCloseTo(1 / Math.log2(3) / 2, 10);
    // Popularity ranks 1, 3, 1, 2 over the four places.
    expect(report.meanPopularityRank).toBe(7 / 4);
    // Same direction: 1 - 1 = 0; orthogonal: 1 - 0 = 1.
    expect(report.intraListDiversity).toBeCloseTo(0.5, 6);
    expect(report.exploredPlaces).toBe(1);
  });

  it('when a list holds one song, then it adds nothing to diversity rather than a 0 or a 1', () => {
    const report = reportLists(
      [
        { ids: [3], targets: new Set(), explored: 0 },
        { ids: [0, 2], targets: new Set(), explored: 0 },
      ],
      space,
    );

    expect(report.intraListDiversity).toBeCloseTo(1, 6);
  });

  it('when the final list is built, then unplayable songs are dropped after ordering and explored places are counted', () => {
    const query: ScoredQuery = {
      ids: Int32Array.from([10, 11, 12, 13]),
      scores: Float32Array.from([0.9, 0.8, 0.1, 0.05]),
      playable: (id) => id !== 11,
      targets: new Set([12]),
    };

    expect(finalList(query, null)).toEqual({ ids: [10, 12, 13], targets: query.targets, explored: 0 });
    const explored = finalList(query, { confidence: 0.5, temperature: 1 });
    expect(explored.ids[0]).toBe(10);
    expect([...explored.ids].sort()).toEqual([10, 12, 13]);
    expect(explored.explored).toBe(2);
  });
});

describe('choosing the exploration places', () => {
  const trial = (confidence: number | null, ndcgAt10: number, catalogCoverage: number): ExplorationTrial => ({
    quantile: confidence,
    confidence,
    ndcgAt10,
    catalogCoverage,
    hitRateAt10: 0,
    meanPopularityRank: 0,
    intraListDiversity: 0,
    exploredPlaces: 0,
  });

  it('when wider settings cost more NDCG than allowed, then the widest within the allowed loss wins', () => {
    const trials = [
      trial(null, 0.1, 0.01),
      trial(1, 0.097, 0.02),
      trial(2, 0.0951, 0.03),
      trial(3, 0.09, 0.05),
    ];

    expect(pickTrial(trials, 0.05).confidence).toBe(2);
  });

  it('when every setting costs too much, then the plain order stays', () => {
    const trials = [trial(null, 0.1, 0.01), trial(1, 0.08, 0.02)];

    expect(pickTrial(trials, 0.05).confidence).toBeNull();
  });
});
