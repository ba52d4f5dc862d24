import type { RuleChange, RuleItem } from '@mlsys/contracts';
import { applyDiversity } from './diversity.js';
import { applyFreshness } from './freshness.js';
import { applyHardFilters } from './hard-filters.js';
import type { RulesPolicy } from './policy.js';

export interface RulesInput {
  region: string;
  nowMs: number;
  allowExplicit: boolean;
  count: number;
  /** Ranked, best first. */
  items: readonly RuleItem[];
}

export interface RulesOutput {
  items: { songId: number; score: number }[];
  /** Every removal and move, in the order the rules made them; positions: `from` in the input, `to` in the output. */
  changes: RuleChange[];
}

/**
 * The business rules in their fixed order: hard filters (licensing,
 * release, explicit) remove; freshness lifts; diversity defers. The output
 * holds at most `count` songs; each song a rule touched has a change with
 * the reason, so a list can always be explained.
 */
export function applyRules(input: RulesInput, policy: RulesPolicy): RulesOutput {
  const { kept, removed } = applyHardFilters(input.items, input);
  const ordered = applyFreshness(kept, input.nowMs, policy);
  const { chosen, deferred } = applyDiversity(ordered, input.count, policy);

  const finalPosition = new Map<number, number>();
  for (const [position, entry] of chosen.entries()) finalPosition.set(entry.inputPosition, position);
  const withTo = (from: number): { to?: number } => {
    const to = finalPosition.get(from);
    return to === undefined ? {} : { to };
  };

  const changes: RuleChange[] = [...removed];
  for (const entry of ordered) {
    // A lift that did not bring the song into the served list changed nothing a listener sees.
    if (entry.lift === 0 || !finalPosition.has(entry.inputPosition)) continue;
    changes.push({
      songId: entry.item.songId,
      rule: 'freshness',
      action: 'moved',
      reason: `released ${entry.ageDays.toFixed(1)} days ago: moved up ${entry.lift} place(s) (fresh songs gain up to ${policy.maxFreshnessLift})`,
      from: entry.inputPosition,
      ...withTo(entry.inputPosition),
    });
  }
  for (const d of deferred) {
    const placed = withTo(d.entry.inputPosition);
    changes.push({
      songId: d.entry.item.songId,
      rule: d.rule,
      action: 'moved',
      reason: `${d.reason}: ${placed.to === undefined ? 'pushed past the end of the list' : 'moved down to fill a place no other song could'}`,
      from: d.entry.inputPosition,
      ...placed,
    });
  }
  return {
    items: chosen.map((entry) => ({ songId: entry.item.songId, score: entry.item.score })),
    changes,
  };
}
