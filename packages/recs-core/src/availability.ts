/**
 * Whether a song may be served: the one licensing check of the recs design.
 * The rules service removes songs with it (and says why), the gateway
 * guards every song it serves with it, and training drops the same songs
 * offline, so no two places can disagree on what "licensed" means.
 */

/** The availability rules, in the order they are checked. */
export type AvailabilityRule = 'licensing' | 'unreleased' | 'explicit';

/** The song facts the rules read; `SongFeatures` and the rules service's `RuleItem` both carry them. */
export interface AvailabilityFacts {
  /** Region codes where the song may be played. */
  licensedRegions: readonly string[];
  releaseMs: number;
  explicit: boolean;
}

/** Where, when and for whom a song would be served. */
export interface AvailabilityContext {
  region: string;
  nowMs: number;
  allowExplicit: boolean;
}

/**
 * The first rule that keeps the song from being served, or undefined when
 * it may be: not licensed in the region, not released by `nowMs`, or
 * explicit when the request forbids it. A name rather than a sentence, so
 * the hot paths that only filter build no strings.
 */
export function unavailableBy(
  song: AvailabilityFacts,
  context: AvailabilityContext,
): AvailabilityRule | undefined {
  if (!song.licensedRegions.includes(context.region)) return 'licensing';
  if (song.releaseMs > context.nowMs) return 'unreleased';
  if (song.explicit && !context.allowExplicit) return 'explicit';
  return undefined;
}

/**
 * Licensed in `region` and released by `nowMs`: the catalogue-level check,
 * for the places that do not know a request's explicit setting (popularity
 * lists, offline evaluation).
 */
export function isAvailable(song: AvailabilityFacts, region: string, nowMs: number): boolean {
  return unavailableBy(song, { region, nowMs, allowExplicit: true }) === undefined;
}
