import { createHash } from 'node:crypto';

/** The knobs of the business rules; a change to any of them changes `policyVersion`. */
export interface RulesPolicy {
  /** At most this many songs of one artist in the final list. */
  maxPerArtist: number;
  /** At most this share of the final list from one genre (rounded up, at least 1 song). */
  maxGenreShare: number;
  /** Songs released within this many days count as fresh ... */
  freshDays: number;
  /** ... and move up by up to this many places (a song out today the most, linearly less with age). */
  maxFreshnessLift: number;
}

export const DEFAULT_POLICY: RulesPolicy = {
  maxPerArtist: 2,
  maxGenreShare: 0.5,
  freshDays: 30,
  maxFreshnessLift: 3,
};

/** A short content hash, reported in `/readyz` and every answer, so a list can be traced to the rules that shaped it. */
export function policyVersion(policy: RulesPolicy): string {
  const canonical = JSON.stringify(Object.entries(policy).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}
