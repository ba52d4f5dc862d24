import type { RuleItem, RulesRequest } from '@mlsys/contracts';

const DAY_MS = 86_400_000;

/**
 * A ranked list of the size rec-api sends (20 songs x 5 overfetch) on which
 * every rule family has work: songs unlicensed in the region, unreleased,
 * explicit, fresh, and artists and genres repeating past their caps. The
 * songs are made up; the answer is discarded.
 */
export function warmUpRequest(nowMs: number): RulesRequest {
  const items: RuleItem[] = Array.from({ length: 100 }, (_, i) => ({
    songId: i,
    score: 100 - i,
    artistId: i % 30,
    genre: i % 4,
    releaseMs: i % 11 === 0 ? nowMs + DAY_MS : nowMs - (i % 5 === 0 ? 2 : 400) * DAY_MS,
    licensedRegions: i % 13 === 0 ? ['GB'] : ['US', 'GB'],
    explicit: i % 9 === 0,
  }));
  return { region: 'US', nowMs, allowExplicit: false, count: 20, items };
}
