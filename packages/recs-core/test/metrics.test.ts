import { describe, expect, it } from 'vitest';
import { exactTopK, hitAtK, ndcgAtK, recallAtK } from '../src/index.js';

describe('offline metrics', () => {
  const relevant = new Set([3, 7]);

  it('when one of two relevant songs is in the top k, then recall is 1/2 and the hit counts', () => {
    expect(recallAtK([1, 3, 5], relevant, 3)).toBe(0.5);
    expect(hitAtK([1, 3, 5], relevant, 3)).toBe(1);
    expect(hitAtK([1, 3, 5], relevant, 1)).toBe(0);
  });

  it('when the relevant songs lead the list, then NDCG is 1, and lower when they come later', () => {
    expect(ndcgAtK([3, 7, 1], relevant, 10)).toBeCloseTo(1, 10);
    const late = ndcgAtK([1, 2, 3], relevant, 10);
    expect(late).toBeCloseTo(1 / Math.log2(4) / (1 + 1 / Math.log2(3)), 10);
  });

  it('when nothing is relevant, then every metric is 0 rather than NaN', () => {
    expect(recallAtK([1], new Set(), 1)).toBe(0);
    expect(ndcgAtK([1], new Set(), 1)).toBe(0);
  });
});

describe('exact search', () => {
  it('when asked for the top k by inner product, then it returns them best first, skipping excluded ids', () => {
    const dim = 2;
    const matrix = Float32Array.from([1, 0, 0, 1, 0.9, 0.1, -1, 0, 0.5, 0.5]);
    const query = [1, 0];

    const all = exactTopK(matrix, dim, query, 3);
    const excluding = exactTopK(matrix, dim, query, 3, new Set([2]));

    expect(Array.from(all.ids)).toEqual([0, 2, 4]);
    expect(Array.from(all.scores)).toEqual([1, Math.fround(0.9), 0.5]);
    expect(Array.from(excluding.ids)).toEqual([0, 4, 1]);
  });

  it('when k exceeds the rows, then every row comes back sorted', () => {
    const matrix = Float32Array.from([0.2, 0.9, 0.5]);

    expect(Array.from(exactTopK(matrix, 1, [1], 10).ids)).toEqual([1, 2, 0]);
  });
});
