import { describe, expect, it } from 'vitest';
import { explorationSeed, rankedOrder } from '../src/index.js';

/** n candidates with ids 1000.. and scores falling from 1 by 0.01, so position = rank by score. */
function candidates(n: number, firstId = 1000) {
  return {
    ids: Int32Array.from({ length: n }, (_, i) => firstId + i),
    scores: Float32Array.from({ length: n }, (_, i) => 1 - i / 100),
  };
}

describe('rankedOrder', () => {
  it('when there is no exploration, then candidates come best score first and ties keep the candidate order', () => {
    const ids = [5, 6, 7, 8];
    const scores = [0.2, 0.9, 0.2, 0.5];

    expect(rankedOrder(ids, scores)).toEqual([1, 3, 0, 2]);
    expect(rankedOrder(ids, scores, null)).toEqual([1, 3, 0, 2]);
  });

  it('when every score reaches the confidence, then the order is the plain score order', () => {
    const { ids, scores } = candidates(50);

    expect(rankedOrder(ids, scores, { confidence: 0, temperature: 1 })).toEqual(rankedOrder(ids, scores));
  });

  it('when some scores fall below the confidence, then the confident keep the top places in score order and the rest are drawn among themselves', () => {
    const { ids, scores } = candidates(100);
    // Scores 1.00 .. 0.81 are confident: positions 0..19.
    const order = rankedOrder(ids, scores, { confidence: 0.805, temperature: 1 });

    expect(order.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const drawn = order.slice(20);
    expect([...drawn].sort((a, b) => a - b)).toEqual(Array.from({ length: 80 }, (_, i) => 20 + i));
    expect(drawn).not.toEqual(Array.from({ length: 80 }, (_, i) => 20 + i));
  });

  it('when the same candidate list comes again, then the draw is the same; when another list comes, then it differs', () => {
    const exploration = { confidence: 2, temperature: 1 };
    const first = candidates(200);
    const other = candidates(200, 5000);

    expect(rankedOrder(first.ids, first.scores, exploration)).toEqual(
      rankedOrder(Int32Array.from(first.ids), Float32Array.from(first.scores), exploration),
    );
    expect(rankedOrder(other.ids, other.scores, exploration)).not.toEqual(
      rankedOrder(first.ids, first.scores, exploration),
    );
    expect(explorationSeed(first.ids)).not.toBe(explorationSeed(other.ids));
  });

  it('when the temperature is small, then the draw follows the scores; when large, then low scorers often lead', () => {
    const { ids, scores } = candidates(200);
    const plain = rankedOrder(ids, scores);

    expect(rankedOrder(ids, scores, { confidence: 2, temperature: 1e-4 })).toEqual(plain);
    const flat = rankedOrder(ids, scores, { confidence: 2, temperature: 1e4 });
    // Nearly uniform: the first ten drawn are spread over the whole list, not its head.
    const meanPosition = flat.slice(0, 10).reduce((sum, i) => sum + i, 0) / 10;
    expect(meanPosition).toBeGreaterThan(40);
  });

  it('when scores are weighted moderately, then better candidates are drawn earlier on average', () => {
    // Many lists, so the comparison holds on the average of draws rather than on one.
    let topHalfFirst = 0;
    for (let list = 0; list < 200; list++) {
      const ids = Int32Array.from({ length: 40 }, (_, i) => list * 40 + i);
      const scores = Float32Array.from({ length: 40 }, (_, i) => (i < 20 ? 1 : -1));
      const first = rankedOrder(ids, scores, { confidence: 5, temperature: 1 })[0]!;
      if (first < 20) topHalfFirst++;
    }
    // exp(1) / (exp(1) + exp(-1)) = 0.88 of the draws should start in the better half.
    expect(topHalfFirst / 200).toBeGreaterThan(0.8);
    expect(topHalfFirst / 200).toBeLessThan(0.95);
  });

  it("when a limit is given, then the answer is the full order's prefix, with and without exploration, ties included", () => {
    const ids = Int32Array.from({ length: 300 }, (_, i) => 7 * i + 3);
    // Coarse scores: many ties, on both sides of the confidence.
    const scores = Float32Array.from({ length: 300 }, (_, i) => Math.round(Math.sin(i) * 4) / 2);

    for (const exploration of [null, { confidence: 1, temperature: 2 }, { confidence: -5, temperature: 2 }]) {
      const full = rankedOrder(ids, scores, exploration);
      for (const limit of [0, 1, 10, 50, 299, 300, 400]) {
        expect(rankedOrder(ids, scores, exploration, limit)).toEqual(full.slice(0, limit));
      }
    }
  });
});
