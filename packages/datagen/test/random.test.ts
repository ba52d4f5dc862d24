import { describe, expect, it } from 'vitest';
import { Random } from '../src/random.js';
import { AliasTable } from '../src/recs/alias-table.js';

describe('seeded random', () => {
  it('when two generators share a seed, then they produce the same sequence', () => {
    const a = new Random(42);
    const b = new Random(42);

    expect(Array.from({ length: 5 }, () => a.nextUint32())).toEqual(
      Array.from({ length: 5 }, () => b.nextUint32()),
    );
  });

  it('when streams are derived with different labels, then they differ', () => {
    const songs = Random.derive(42, 'songs');
    const users = Random.derive(42, 'users');

    expect(songs.nextUint32()).not.toBe(users.nextUint32());
  });

  it('when many normals are drawn, then their mean and variance are standard', () => {
    const random = new Random(1);
    const draws = Array.from({ length: 20_000 }, () => random.normal());
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length;

    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(variance).toBeGreaterThan(0.95);
    expect(variance).toBeLessThan(1.05);
  });
});

describe('alias table', () => {
  it('when drawn many times, then each index appears in proportion to its weight', () => {
    const weights = [1, 2, 3, 4];
    const table = new AliasTable(weights);
    const random = new Random(3);
    const counts = [0, 0, 0, 0];
    const draws = 100_000;

    for (let i = 0; i < draws; i++) counts[table.draw(random)]!++;

    expect(counts.map((count) => Number((count / draws).toFixed(2)))).toEqual([0.1, 0.2, 0.3, 0.4]);
  });

  it('when given no positive weight, then it refuses', () => {
    expect(() => new AliasTable([0, 0])).toThrow(/positive total weight/);
  });
});
