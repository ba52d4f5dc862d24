import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  generateRecsDataset,
  RECS_PROFILES,
  type RecsDataset,
  type RecsProfile,
  readRecsDataset,
  recsProfile,
} from '../../src/recs/index.js';

const tiny = RECS_PROFILES.tiny;

function generate(profile: RecsProfile): string {
  const dir = mkdtempSync(join(tmpdir(), `recs-${profile.name}-`));
  generateRecsDataset(profile, dir);
  return dir;
}

function fileHashes(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [
        name,
        createHash('sha256')
          .update(readFileSync(join(dir, name)))
          .digest('hex'),
      ]),
  );
}

describe('recs dataset generation', () => {
  it('when generated twice with the same seed, then every file is byte-identical', () => {
    expect(fileHashes(generate(tiny))).toEqual(fileHashes(generate(tiny)));
  });

  it('when the seed changes, then the listens change', () => {
    const a = fileHashes(generate(tiny));
    const b = fileHashes(generate({ ...tiny, seed: tiny.seed + 1 }));

    expect(b['listens.bin']).not.toBe(a['listens.bin']);
  });

  it('when a profile name is unknown, then the error lists the known ones', () => {
    expect(() => recsProfile('huge')).toThrow(/tiny, default, large/);
  });

  describe('on a mid-sized catalogue', () => {
    let data: RecsDataset;
    beforeAll(() => {
      data = readRecsDataset(
        generate({ ...tiny, name: 'default', songs: 20_000, artists: 2_000, users: 4_000 }),
      );
    });

    it('when listens are counted per song, then popularity is heavy-tailed like a Zipf law', () => {
      const counts = new Float64Array(data.meta.counts.songs);
      for (const song of data.listens.song) counts[song]!++;
      const sorted = Array.from(counts).sort((a, b) => b - a);
      const topShare = sorted.slice(0, 200).reduce((a, b) => a + b, 0) / data.listens.count;
      // Slope of log(count) against log(rank) over ranks 10..1000.
      const points = Array.from(
        { length: 991 },
        (_, i) => [Math.log(i + 10), Math.log(sorted[i + 9]! + 1)] as const,
      );
      const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
      const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
      const slope =
        points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) /
        points.reduce((a, [x]) => a + (x - mx) ** 2, 0);

      expect(topShare).toBeGreaterThan(0.2);
      expect(slope).toBeLessThan(-0.5);
      expect(slope).toBeGreaterThan(-1.5);
    });

    it('when a user listens, then the song is licensed in their region and already released', () => {
      const { songs, listens, userRegion } = data;
      let unlicensed = 0;
      let unreleased = 0;
      for (let i = 0; i < listens.count; i++) {
        const song = listens.song[i]!;
        if ((songs.licenseMask[song]! & (1 << userRegion[listens.user[i]!]!)) === 0) unlicensed++;
        if (songs.releaseMs[song]! > listens.timeMs[i]!) unreleased++;
      }

      expect(listens.count).toBeGreaterThan(100_000);
      expect({ unlicensed, unreleased }).toEqual({ unlicensed: 0, unreleased: 0 });
    });

    it('when the catalogue is built, then about a quarter of songs are region-restricted and a tenth explicit', () => {
      const all = (1 << data.meta.regions.length) - 1;
      const n = data.meta.counts.songs;
      const restricted = data.songs.licenseMask.filter((mask) => mask !== all).length / n;
      const explicit = data.songs.explicit.filter((flag) => flag === 1).length / n;

      expect(restricted).toBeGreaterThan(0.2);
      expect(restricted).toBeLessThan(0.3);
      expect(explicit).toBeGreaterThan(0.08);
      expect(explicit).toBeLessThan(0.12);
    });

    it('when listens are read back, then each user is chronological and inside the window', () => {
      const { listens, meta } = data;
      const problems = { wrongUser: 0, outsideWindow: 0, outOfOrder: 0 };
      for (let u = 0; u < meta.counts.users; u++) {
        for (let i = listens.userStart[u]!; i < listens.userStart[u + 1]!; i++) {
          if (listens.user[i] !== u) problems.wrongUser++;
          const t = listens.timeMs[i]!;
          if (t < meta.window.startMs || t >= meta.window.endMs) problems.outsideWindow++;
          if (i > listens.userStart[u]! && t <= listens.timeMs[i - 1]!) problems.outOfOrder++;
        }
      }

      expect(listens.userStart[meta.counts.users]).toBe(listens.count);
      expect(problems).toEqual({ wrongUser: 0, outsideWindow: 0, outOfOrder: 0 });
    });

    it('when a user follows their taste, then their top genre takes most of their listens', () => {
      const { listens, songs, meta } = data;
      let dominant = 0;
      for (let u = 0; u < meta.counts.users; u++) {
        const genres = new Map<number, number>();
        for (let i = listens.userStart[u]!; i < listens.userStart[u + 1]!; i++) {
          const genre = songs.genre[listens.song[i]!]!;
          genres.set(genre, (genres.get(genre) ?? 0) + 1);
        }
        const total = listens.userStart[u + 1]! - listens.userStart[u]!;
        dominant += Math.max(...genres.values()) / total;
      }
      // Twenty genres: a user without taste would give the top genre about 1/20 of their listens.
      expect(dominant / meta.counts.users).toBeGreaterThan(0.4);
    });
  });
});
