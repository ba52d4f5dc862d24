import type { Kept } from './hard-filters.js';
import type { RulesPolicy } from './policy.js';

const DAY_MS = 86_400_000;

/** A survivor with how many places freshness lifted it. */
export interface Lifted extends Kept {
  lift: number;
  ageDays: number;
}

/**
 * Moves fresh songs up: a song released today gains `maxFreshnessLift`
 * places, one released `freshDays` ago none, linearly in between. Working in
 * places rather than adding to the score keeps the rule independent of the
 * ranker's score scale, which changes with every retrained model.
 */
export function applyFreshness(kept: readonly Kept[], nowMs: number, policy: RulesPolicy): Lifted[] {
  const lifted = kept.map((entry, position) => {
    const ageDays = Math.max(0, (nowMs - entry.item.releaseMs) / DAY_MS);
    const lift =
      ageDays < policy.freshDays ? Math.round(policy.maxFreshnessLift * (1 - ageDays / policy.freshDays)) : 0;
    return { entry: { ...entry, lift, ageDays }, key: position - lift, position };
  });
  // Ties go to the lifted song: it was promoted to exactly that place.
  lifted.sort((a, b) => a.key - b.key || b.entry.lift - a.entry.lift || a.position - b.position);
  return lifted.map((l) => l.entry);
}
