import type { RuleChange, RuleItem } from '@mlsys/contracts';

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
 * is never served, whatever its score. Order of the survivors is kept.
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
  if (!item.licensedRegions.includes(context.region)) {
    const where = item.licensedRegions.length > 0 ? item.licensedRegions.join(', ') : 'no region';
    return { rule: 'licensing', reason: `not licensed in ${context.region} (licensed in ${where})` };
  }
  if (item.releaseMs > context.nowMs) {
    return { rule: 'unreleased', reason: `released on ${isoDay(item.releaseMs)}, after the request time` };
  }
  if (item.explicit && !context.allowExplicit) {
    return { rule: 'explicit', reason: 'explicit, and this request does not allow explicit songs' };
  }
  return undefined;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
