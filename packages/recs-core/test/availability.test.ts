import { describe, expect, it } from 'vitest';
import { type AvailabilityFacts, isAvailable, unavailableBy } from '../src/index.js';

const NOW = Date.UTC(2026, 2, 1);
const DAY = 86_400_000;

const song = (overrides: Partial<AvailabilityFacts> = {}): AvailabilityFacts => ({
  licensedRegions: ['US', 'DE'],
  releaseMs: NOW - DAY,
  explicit: false,
  ...overrides,
});
const request = { region: 'US', nowMs: NOW, allowExplicit: false };

describe('availability', () => {
  it('when a released, clean song is licensed in the region, then nothing keeps it out', () => {
    expect(unavailableBy(song(), request)).toBeUndefined();
    expect(isAvailable(song(), 'DE', NOW)).toBe(true);
  });

  it('when the song is not licensed in the region, then licensing keeps it out', () => {
    expect(unavailableBy(song(), { ...request, region: 'FR' })).toBe('licensing');
    expect(unavailableBy(song({ licensedRegions: [] }), request)).toBe('licensing');
    expect(isAvailable(song(), 'FR', NOW)).toBe(false);
  });

  it('when the song is released after the request time, then it is unreleased; released at that very ms, it is not', () => {
    expect(unavailableBy(song({ releaseMs: NOW + 1 }), request)).toBe('unreleased');
    expect(unavailableBy(song({ releaseMs: NOW }), request)).toBeUndefined();
    expect(isAvailable(song({ releaseMs: NOW + DAY }), 'US', NOW)).toBe(false);
  });

  it('when the song is explicit, then it is kept out only where the request forbids explicit songs', () => {
    expect(unavailableBy(song({ explicit: true }), request)).toBe('explicit');
    expect(unavailableBy(song({ explicit: true }), { ...request, allowExplicit: true })).toBeUndefined();
    expect(isAvailable(song({ explicit: true }), 'US', NOW)).toBe(true);
  });

  it('when several rules fail, then licensing is named first, then the release date', () => {
    const everything = song({ licensedRegions: ['DE'], releaseMs: NOW + DAY, explicit: true });
    expect(unavailableBy(everything, request)).toBe('licensing');
    expect(unavailableBy({ ...everything, licensedRegions: ['US'] }, request)).toBe('unreleased');
  });
});
