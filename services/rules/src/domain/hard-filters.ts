import type { RuleChange, RuleItem } from '@mlsys/contracts';
import { type AvailabilityRule, unavailableBy } from '@mlsys/recs-core';

export interface FilterContext {
  region: string;
  nowMs: number;
  allowExplicit: boolean;
}

/** A song that survived the hard filters, with its position in the ranked input. */
export interface Kept {
  item: RuleItem;
  inputPosition: number;
}

/**
 * The rules that remove songs outright: a song not licensed where the
 * listener is, not released yet, or explicit when the request forbids it
 * is never served, whatever its score. Which rule applies is recs-core's
 * `unavailableBy`, the check rec-api guards its answer with too; this file
 * says why. Order of the survivors is kept.
 */
export function applyHardFilters(
  items: readonly RuleItem[],
  context: FilterContext,
): { kept: Kept[]; removed: RuleChange[] } {
  const kept: Kept[] = [];
  const removed: RuleChange[] = [];
  items.forEach((item, inputPosition) => {
    const change = hardFilterChange(item, context);
    if (change) removed.push({ songId: item.songId, action: 'removed', from: inputPosition, ...change });
    else kept.push({ item, inputPosition });
  });
  return { kept, removed };
}

function hardFilterChange(
  item: RuleItem,
  context: FilterContext,
): Pick<RuleChange, 'rule' | 'reason'> | undefined {
  const rule = unavailableBy(item, context);
  return rule && { rule, reason: REASONS[rule](item, context) };
}

const REASONS: Record<AvailabilityRule, (item: RuleItem, context: FilterContext) => string> = {
  licensing: (item, context) => {
    const where = item.licensedRegions.length > 0 ? item.licensedRegions.join(', ') : 'no region';
    return `not licensed in ${context.region} (licensed in ${where})`;
  },
  unreleased: (item) => `released on ${isoDay(item.releaseMs)}, after the request time`,
  explicit: () => 'explicit, and this request does not allow explicit songs',
};

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
