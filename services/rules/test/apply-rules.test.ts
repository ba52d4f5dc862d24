import { describe, expect, it } from 'vitest';
import { applyRules, type RulesInput } from '../src/domain/apply-rules.js';
import { DEFAULT_POLICY, policyVersion, type RulesPolicy } from '../src/domain/policy.js';
import { DAY_MS, item, NOW, ranked } from './items.js';

const noFreshness: RulesPolicy = { ...DEFAULT_POLICY, maxFreshnessLift: 0 };
const input = (overrides: Partial<RulesInput>): RulesInput => ({
  region: 'US',
  nowMs: NOW,
  allowExplicit: true,
  count: 5,
  items: ranked(10),
  ...overrides,
});

describe('hard filters', () => {
  it('when a song is not licensed in the request region, then it is removed with the region in the reason', () => {
    const items = ranked(6, (i) => (i === 1 ? { licensedRegions: ['GB', 'BR'] } : {}));

    const out = applyRules(input({ items }), noFreshness);

    expect(out.items.map((i) => i.songId)).toEqual([0, 2, 3, 4, 5]);
    expect(out.changes).toEqual([
      {
        songId: 1,
        rule: 'licensing',
        action: 'removed',
        from: 1,
        reason: 'not licensed in US (licensed in GB, BR)',
      },
    ]);
  });

  it('when no song is licensed in the region, then the list is empty and every song has a licensing reason', () => {
    const items = ranked(4, () => ({ licensedRegions: ['JP'] }));

    const out = applyRules(input({ items }), noFreshness);

    expect(out.items).toEqual([]);
    expect(out.changes.map((c) => [c.songId, c.rule])).toEqual([
      [0, 'licensing'],
      [1, 'licensing'],
      [2, 'licensing'],
      [3, 'licensing'],
    ]);
  });

  it('when explicit songs are not allowed, then explicit ones are removed and clean ones kept', () => {
    const items = ranked(6, (i) => ({ explicit: i % 2 === 0 }));

    const out = applyRules(input({ items, allowExplicit: false }), noFreshness);

    expect(out.items.map((i) => i.songId)).toEqual([1, 3, 5]);
    expect(out.changes.every((c) => c.rule === 'explicit' && c.action === 'removed')).toBe(true);
    expect(out.changes.map((c) => c.songId)).toEqual([0, 2, 4]);
  });

  it('when explicit songs are allowed, then they stay', () => {
    const out = applyRules(input({ items: ranked(5, () => ({ explicit: true })) }), noFreshness);
    expect(out.items).toHaveLength(5);
    expect(out.changes).toEqual([]);
  });

  it('when a song is released after the request time, then it is removed as unreleased', () => {
    const items = ranked(6, (i) => (i === 0 ? { releaseMs: NOW + DAY_MS } : {}));

    const out = applyRules(input({ items }), noFreshness);

    expect(out.items[0]!.songId).toBe(1);
    expect(out.changes[0]).toMatchObject({ songId: 0, rule: 'unreleased', action: 'removed' });
    expect(out.changes[0]!.reason).toContain('2026-03-02');
  });
});

describe('freshness', () => {
  it('when a song came out today, then it moves up by the full lift with the age in the reason', () => {
    const items = ranked(10, (i) => (i === 6 ? { releaseMs: NOW } : {}));

    const out = applyRules(input({ items, count: 10 }), {
      ...DEFAULT_POLICY,
      maxFreshnessLift: 3,
      maxPerArtist: 5,
      maxGenreShare: 1,
    });

    expect(out.items.map((i) => i.songId)).toEqual([0, 1, 2, 6, 3, 4, 5, 7, 8, 9]);
    expect(out.changes).toEqual([
      {
        songId: 6,
        rule: 'freshness',
        action: 'moved',
        from: 6,
        to: 3,
        reason: 'released 0.0 days ago: moved up 3 place(s) (fresh songs gain up to 3)',
      },
    ]);
  });

  it('when a song is older than the fresh window, then it does not move', () => {
    const items = ranked(8, (i) => (i === 5 ? { releaseMs: NOW - 31 * DAY_MS } : {}));
    const out = applyRules(input({ items, count: 8 }), {
      ...DEFAULT_POLICY,
      maxPerArtist: 5,
      maxGenreShare: 1,
    });
    expect(out.items.map((i) => i.songId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(out.changes).toEqual([]);
  });
});

describe('diversity', () => {
  it('when an artist has more songs than the cap, then the extra ones move down below other artists', () => {
    const items = ranked(8, (i) => (i < 4 ? { artistId: 7 } : {}));

    const out = applyRules(input({ items, count: 5 }), noFreshness);

    expect(out.items.map((i) => i.songId)).toEqual([0, 1, 4, 5, 6]);
    const moved = out.changes.filter((c) => c.rule === 'artist-diversity');
    expect(moved.map((c) => c.songId)).toEqual([2, 3]);
    expect(moved[0]!.reason).toBe(
      'artist 7 already has 2 songs in the list (cap 2): pushed past the end of the list',
    );
    expect(moved[0]).not.toHaveProperty('to');
  });

  it('when a genre would fill more than its share, then later songs of it are deferred', () => {
    const items = ranked(10, (i) => ({ genre: i < 6 ? 3 : 4 }));

    const out = applyRules(input({ items, count: 4 }), { ...noFreshness, maxGenreShare: 0.5 });

    expect(out.items.map((i) => i.songId)).toEqual([0, 1, 6, 7]);
    expect(out.changes.filter((c) => c.rule === 'genre-diversity').map((c) => c.songId)).toEqual([
      2, 3, 4, 5,
    ]);
  });

  it('when only capped songs are left, then they fill the list rather than leave it short, each with a reason', () => {
    const items = ranked(4, () => ({ artistId: 9 }));

    const out = applyRules(input({ items, count: 4 }), noFreshness);

    expect(out.items.map((i) => i.songId)).toEqual([0, 1, 2, 3]);
    const moved = out.changes.filter((c) => c.rule === 'artist-diversity');
    expect(moved.map((c) => [c.songId, c.to])).toEqual([
      [2, 2],
      [3, 3],
    ]);
    expect(moved[0]!.reason).toContain('moved down to fill a place no other song could');
  });
});

describe('the whole chain', () => {
  it('when rules apply, then the list never exceeds count and keeps the ranker scores', () => {
    const items = ranked(50, (i) => ({ artistId: i % 3, genre: i % 4 }));
    const out = applyRules(input({ items, count: 6 }), DEFAULT_POLICY);
    expect(out.items).toHaveLength(6);
    for (const chosen of out.items) expect(chosen.score).toBe(item(chosen.songId).score);
  });

  it('when the policy changes, then its version changes', () => {
    expect(policyVersion(DEFAULT_POLICY)).toBe(policyVersion({ ...DEFAULT_POLICY }));
    expect(policyVersion({ ...DEFAULT_POLICY, maxPerArtist: 3 })).not.toBe(policyVersion(DEFAULT_POLICY));
  });
});
