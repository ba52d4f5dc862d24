import type { RuleItem } from '@mlsys/contracts';

export const NOW = Date.UTC(2026, 2, 1);
export const DAY_MS = 86_400_000;

/** A ranked item licensed everywhere, released a year ago, clean; each test overrides what it is about. */
export function item(songId: number, overrides: Partial<RuleItem> = {}): RuleItem {
  return {
    songId,
    score: 100 - songId,
    artistId: 1000 + songId,
    genre: songId % 7,
    releaseMs: NOW - 365 * DAY_MS,
    licensedRegions: ['US', 'GB', 'BR'],
    explicit: false,
    ...overrides,
  };
}

export const ranked = (n: number, overrides: (i: number) => Partial<RuleItem> = () => ({})) =>
  Array.from({ length: n }, (_, i) => item(i, overrides(i)));
