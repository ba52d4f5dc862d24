import { describe, expect, it } from 'vitest';
import { cosine, type UserTowerParams, userVector } from '../src/index.js';

const params: UserTowerParams = {
  recentWeight: 0.6,
  positionDecay: 0.8,
  halfLifeHours: 24,
  popularityWeight: 1.2,
};
const HOUR = 3_600_000;
const now = Date.UTC(2026, 1, 1, 12);
const longTerm = [1, 0, 0, 0];
const rockSong = [0, 1, 0, 0];
const taste = (query: Float32Array | null) => query!.subarray(0, 4);

describe('user tower', () => {
  it('when the user plays a song, then the query turns toward that song', () => {
    const before = userVector(longTerm, [], { nowMs: now }, params);
    const after = userVector(
      longTerm,
      [{ vector: rockSong, timestampMs: now - 60_000 }],
      { nowMs: now },
      params,
    );

    expect(cosine(taste(before), rockSong)).toBeCloseTo(0, 6);
    expect(cosine(taste(after), rockSong)).toBeGreaterThan(0.2);
    expect(cosine(taste(after), longTerm)).toBeGreaterThan(cosine(taste(after), rockSong));
  });

  it('when the same listen is a month old, then it moves the query less than a fresh one', () => {
    const fresh = userVector(
      longTerm,
      [{ vector: rockSong, timestampMs: now - HOUR }],
      { nowMs: now },
      params,
    );
    const stale = userVector(
      longTerm,
      [{ vector: rockSong, timestampMs: now - 30 * 24 * HOUR }],
      { nowMs: now },
      params,
    );

    expect(cosine(taste(stale), rockSong)).toBeLessThan(cosine(taste(fresh), rockSong) / 10);
  });

  it('when recentWeight is 0, then listens do not move the query at all', () => {
    const query = userVector(
      longTerm,
      [{ vector: rockSong, timestampMs: now }],
      { nowMs: now },
      { ...params, recentWeight: 0 },
    );

    expect(Array.from(taste(query))).toEqual([1, 0, 0, 0]);
  });

  it('when built, then the taste part has unit length and the last coordinate is the popularity weight', () => {
    const query = userVector(
      [3, 4, 0, 0],
      [{ vector: [0, 0, 2, 0], timestampMs: now }],
      { nowMs: now },
      params,
    )!;

    expect(query).toHaveLength(5);
    expect(Math.hypot(...taste(query))).toBeCloseTo(1, 6);
    expect(query[4]).toBeCloseTo(params.popularityWeight, 6);
  });

  it('when a new user has only recent listens, then the query follows those listens', () => {
    const query = userVector(null, [{ vector: rockSong, timestampMs: now }], { nowMs: now }, params);

    expect(Array.from(taste(query))).toEqual([0, 1, 0, 0]);
  });

  it('when there is neither an embedding nor a listen, then there is no query (cold start)', () => {
    expect(userVector(null, [], { nowMs: now }, params)).toBeNull();
  });
});
