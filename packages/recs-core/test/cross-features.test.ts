import { describe, expect, it } from 'vitest';
import {
  crossFeatures,
  RANKER_FEATURES,
  type RankCandidate,
  type RankingInput,
  type SongFeatures,
  summarizeHistory,
} from '../src/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.UTC(2026, 1, 1, 21);

function song(
  id: number,
  artistId: number,
  genre: number,
  overrides: Partial<SongFeatures> = {},
): SongFeatures {
  return {
    id,
    artistId,
    genre,
    releaseMs: now - 100 * DAY,
    licensedRegions: ['US', 'GB'],
    explicit: false,
    listenCount: 99,
    regionListenCounts: { US: 9 },
    ...overrides,
  };
}

const catalog = new Map<number, SongFeatures>([
  [1, song(1, 10, 2)],
  [2, song(2, 10, 2)],
  [3, song(3, 20, 5)],
  [4, song(4, 30, 2)],
]);

function input(): RankingInput {
  const history = summarizeHistory(
    [
      { songId: 3, timestampMs: now - 5 * DAY },
      { songId: 1, timestampMs: now - 2 * HOUR },
      { songId: 2, timestampMs: now - HOUR },
    ],
    (id) => catalog.get(id),
  );
  const lift = Array.from({ length: 24 }, () => Array.from({ length: 6 }, () => 1));
  lift[21]![2] = 1.5;
  return { context: { nowMs: now, region: 'US', hourOfDay: 21.5 }, history, genreHourLift: { lift } };
}

const value = (row: Float32Array, name: (typeof RANKER_FEATURES)[number]) =>
  row[RANKER_FEATURES.indexOf(name)];

describe('cross features', () => {
  it('when a candidate shares the artist and genre of recent listens, then its affinity features say so', () => {
    const candidate: RankCandidate = {
      song: song(9, 10, 2, { releaseMs: now - 3 * DAY }),
      annScore: 0.75,
      annRank: 4,
    };

    const row = crossFeatures(input(), [candidate]);

    expect(row).toHaveLength(RANKER_FEATURES.length);
    expect(value(row, 'ann_score')).toBe(0.75);
    expect(value(row, 'ann_rank')).toBe(4);
    expect(value(row, 'log_listens')).toBeCloseTo(Math.log1p(99), 6);
    expect(value(row, 'log_region_listens')).toBeCloseTo(Math.log1p(9), 6);
    expect(value(row, 'artist_share')).toBeCloseTo(2 / 3, 6);
    expect(value(row, 'genre_share')).toBeCloseTo(2 / 3, 6);
    expect(value(row, 'hours_since_artist')).toBeCloseTo(1, 6);
    expect(value(row, 'release_age_days')).toBeCloseTo(3, 6);
    expect(value(row, 'hour_of_day')).toBe(21.5);
    expect(value(row, 'genre_hour_lift')).toBe(1.5);
    expect(value(row, 'history_size')).toBe(3);
  });

  it('when the latest listens are of one genre, then that genre weighs most in the session share', () => {
    const sameGenre: RankCandidate = { song: song(9, 40, 2), annScore: 0, annRank: 0 };
    const olderGenre: RankCandidate = { song: song(8, 41, 5), annScore: 0, annRank: 1 };

    const rows = crossFeatures(input(), [sameGenre, olderGenre]);
    const width = RANKER_FEATURES.length;

    const session = (r: number) => rows[r * width + RANKER_FEATURES.indexOf('session_genre_share')]!;
    expect(session(0)).toBeGreaterThan(session(1));
    expect(session(0) + session(1)).toBeCloseTo(1, 6);
  });

  it('when the user never played the artist or the region never played the song, then neutral values are used', () => {
    const stranger: RankCandidate = {
      song: song(9, 99, 7, { regionListenCounts: {} }),
      annScore: 0,
      annRank: 0,
    };

    const row = crossFeatures(input(), [stranger]);

    expect(value(row, 'artist_share')).toBe(0);
    expect(value(row, 'hours_since_artist')).toBe(24 * 365);
    expect(value(row, 'log_region_listens')).toBe(0);
    expect(value(row, 'genre_hour_lift')).toBe(1);
  });

  it('when a listen is stamped after the request time, then hours since the artist is 0, not negative', () => {
    const history = summarizeHistory([{ songId: 4, timestampMs: now + 9 * DAY }], (id) => catalog.get(id));
    const ahead = { ...input(), history };

    const row = crossFeatures(ahead, [{ song: song(9, 30, 2), annScore: 0, annRank: 0 }]);

    expect(value(row, 'hours_since_artist')).toBe(0);
  });

  it('when the same request is featurised twice (offline, then online), then the matrices are identical', () => {
    const candidates = [...catalog.values()].map((s, annRank) => ({
      song: s,
      annScore: 1 - annRank / 10,
      annRank,
    }));

    expect(crossFeatures(input(), candidates)).toEqual(crossFeatures(input(), candidates));
  });

  it('when the output buffer is too small, then it refuses instead of writing past the end', () => {
    const candidates = [{ song: song(9, 1, 1), annScore: 0, annRank: 0 }];

    expect(() => crossFeatures(input(), candidates, new Float32Array(3))).toThrow(/holds 3 floats/);
  });

  it('when a listened song is unknown to the catalogue, then the history skips it', () => {
    const history = summarizeHistory([{ songId: 404, timestampMs: now }], () => undefined);

    expect(history.size).toBe(0);
    expect(history.sessionGenreShares.size).toBe(0);
  });
});
