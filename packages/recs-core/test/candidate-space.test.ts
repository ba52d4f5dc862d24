import { describe, expect, it } from 'vitest';
import { candidateQuery, dot, popularityScale, songIndexVector } from '../src/index.js';

describe('candidate space', () => {
  it('when a query meets a song vector, then the score is cosine plus weighted popularity', () => {
    const scale = popularityScale(999);
    const song = songIndexVector([0, 3, 4], 99, scale);
    const query = candidateQuery([0, 1, 0], 0.5);

    const popularity = Math.log1p(99) / Math.log1p(999);
    expect(dot(query, song)).toBeCloseTo(0.6 + 0.5 * popularity, 6);
  });

  it('when a song was never played, then only its zero popularity remains', () => {
    const song = songIndexVector([0, 0, 0], 0, popularityScale(10));

    expect(Array.from(song)).toEqual([0, 0, 0, 0]);
  });

  it('when the most played song is encoded, then its popularity is exactly 1', () => {
    expect(songIndexVector([1, 0], 500, popularityScale(500))[2]).toBeCloseTo(1, 6);
  });
});
