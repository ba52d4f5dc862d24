import type { SongFeatures } from '@mlsys/recs-core';
import { describe, expect, it } from 'vitest';
import { chooseSweepRow, type SweepRow } from '../../src/recs/hnsw-sweep.js';
import { popularityByRegion } from '../../src/recs/song-catalog.js';

const now = Date.UTC(2026, 0, 1);

function song(
  id: number,
  regions: string[],
  listens: Record<string, number>,
  releaseMs = now - 1,
): SongFeatures {
  const total = Object.values(listens).reduce((a, b) => a + b, 0);
  return {
    id,
    artistId: id,
    genre: 0,
    releaseMs,
    licensedRegions: regions,
    explicit: false,
    listenCount: total,
    regionListenCounts: listens,
  };
}

describe('cold-start lists', () => {
  it('when built per region, then they hold only songs licensed there and released, most played there first', () => {
    const songs = [
      song(0, ['US', 'JP'], { US: 5, JP: 50 }),
      song(1, ['US'], { US: 9 }),
      song(2, ['JP'], { JP: 70 }),
      song(3, ['US', 'JP'], { US: 100 }, now + 1),
    ];

    const lists = popularityByRegion(songs, ['US', 'JP'], now, 10);

    expect(lists).toEqual({ US: [1, 0], JP: [2, 0] });
  });
});

describe('index sweep verdict', () => {
  const row = (m: number, ef: number, recall: number, meanMs: number): SweepRow => ({
    m,
    efConstruction: 200,
    ef,
    recall,
    meanMs,
    p50Ms: meanMs,
    p99Ms: meanMs * 2,
    buildSeconds: 1,
    indexMiB: m,
  });

  it('when several settings reach the recall target, then the fastest of them wins', () => {
    const rows = [row(16, 1000, 0.94, 1), row(16, 1500, 0.96, 2), row(32, 1000, 0.97, 1.5)];

    expect(chooseSweepRow(rows, 0.95)).toMatchObject({ m: 32, ef: 1000 });
  });

  it('when none reaches the target, then the best recall wins', () => {
    const rows = [row(16, 1000, 0.8, 1), row(32, 2000, 0.9, 5)];

    expect(chooseSweepRow(rows, 0.95)).toMatchObject({ m: 32, ef: 2000 });
  });
});
