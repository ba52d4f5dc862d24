import { mergeTopK, shardEf, shardFetchK, shardOf } from '@mlsys/recs-core/ann';
import { describe, expect, it } from 'vitest';

/** A seeded generator, so a failure replays. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Songs 0..n-1 with scores, dealt into `shards` best-first lists as the shards would return them. */
function dealt(n: number, shards: number, next: () => number) {
  const scores = Float32Array.from({ length: n }, () => Math.round(next() * 200) / 100); // ties on purpose
  const lists = Array.from({ length: shards }, (_, s) => {
    const ids = Array.from({ length: n }, (_, id) => id).filter((id) => shardOf(id, shards) === s);
    ids.sort((a, b) => scores[b]! - scores[a]! || a - b);
    return { ids: Int32Array.from(ids), scores: Float32Array.from(ids, (id) => scores[id]!) };
  });
  const union = Array.from({ length: n }, (_, id) => id).sort((a, b) => scores[b]! - scores[a]! || a - b);
  return { scores, lists, union };
}

describe('merging shard answers', () => {
  it('when disjoint best-first lists are merged, then the result is the top k of their union by score, ties to the lower id', () => {
    const next = random(7);
    for (const shards of [1, 2, 3, 4]) {
      const { scores, lists, union } = dealt(500, shards, next);

      const merged = mergeTopK(lists, 100);

      expect(Array.from(merged.ids)).toEqual(union.slice(0, 100));
      expect(Array.from(merged.scores)).toEqual(union.slice(0, 100).map((id) => scores[id]!));
    }
  });

  it('when the lists hold fewer than k songs together, then all of them come back, best first', () => {
    const merged = mergeTopK(
      [
        { ids: Int32Array.from([4, 2]), scores: Float32Array.from([0.9, 0.1]) },
        { ids: Int32Array.from([3]), scores: Float32Array.from([0.5]) },
        { ids: new Int32Array(0), scores: new Float32Array(0) },
      ],
      10,
    );

    expect(Array.from(merged.ids)).toEqual([4, 3, 2]);
    expect(Array.from(merged.scores)).toEqual([Math.fround(0.9), 0.5, Math.fround(0.1)]);
  });

  it('when each shard returns only its k-prime best, then the merge still equals the union top k whenever no shard holds more than k-prime of it', () => {
    const next = random(11);
    const { lists, union } = dealt(4000, 2, next);
    const kPrime = shardFetchK(1000, 2);

    const merged = mergeTopK(
      lists.map((list) => ({ ids: list.ids.slice(0, kPrime), scores: list.scores.slice(0, kPrime) })),
      1000,
    );

    const perShard = [0, 1].map((s) => union.slice(0, 1000).filter((id) => shardOf(id, 2) === s).length);
    expect(Math.max(...perShard)).toBeLessThanOrEqual(kPrime);
    expect(Array.from(merged.ids)).toEqual(union.slice(0, 1000));
  });
});

describe('how much to ask each shard', () => {
  it('when there is one shard or the fetch is exact, then every shard is asked for all k', () => {
    expect(shardFetchK(1000, 1)).toBe(1000);
    expect(shardFetchK(1000, 4, true)).toBe(1000);
  });

  it('when there are S shards, then each is asked for its share plus five standard deviations, never more than k', () => {
    expect(shardFetchK(1000, 2)).toBe(Math.ceil(500 + 5 * Math.sqrt(250)));
    expect(shardFetchK(1000, 4)).toBe(Math.ceil(250 + 5 * Math.sqrt(187.5)));
    expect(shardFetchK(10, 2)).toBe(10);
  });

  it('when a shard is asked for fewer songs, then its beam keeps the whole index’s beam-to-k ratio, never below its k', () => {
    expect(shardEf(1200, 1000, 580)).toBe(696);
    expect(shardEf(500, 1000, 580)).toBe(580);
  });

  it('when songs are dealt, then consecutive ids go to consecutive shards', () => {
    expect([0, 1, 2, 3, 4, 5].map((id) => shardOf(id, 4))).toEqual([0, 1, 2, 3, 0, 1]);
  });
});
