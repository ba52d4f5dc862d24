import type { RuleName } from '@mlsys/contracts';
import type { Lifted } from './freshness.js';
import type { RulesPolicy } from './policy.js';

export interface Deferred {
  entry: Lifted;
  rule: Extract<RuleName, 'artist-diversity' | 'genre-diversity'>;
  reason: string;
}

/**
 * Fills the list best first, deferring a song whose artist or genre already
 * has its share of the list. When the list would otherwise come out short,
 * deferred songs fill the remaining places in order: a shorter list is worse
 * than a less diverse one.
 */
export function applyDiversity(
  ordered: readonly Lifted[],
  count: number,
  policy: RulesPolicy,
): { chosen: Lifted[]; deferred: Deferred[] } {
  const genreCap = Math.max(1, Math.ceil(policy.maxGenreShare * count));
  const perArtist = new Map<number, number>();
  const perGenre = new Map<number, number>();
  const chosen: Lifted[] = [];
  const deferred: Deferred[] = [];
  for (const entry of ordered) {
    if (chosen.length === count) break;
    const { artistId, genre } = entry.item;
    const artistSoFar = perArtist.get(artistId) ?? 0;
    const genreSoFar = perGenre.get(genre) ?? 0;
    if (artistSoFar >= policy.maxPerArtist) {
      deferred.push({
        entry,
        rule: 'artist-diversity',
        reason: `artist ${artistId} already has ${artistSoFar} songs in the list (cap ${policy.maxPerArtist})`,
      });
    } else if (genreSoFar >= genreCap) {
      deferred.push({
        entry,
        rule: 'genre-diversity',
        reason: `genre ${genre} already has ${genreSoFar} songs in the list (cap ${genreCap} of ${count})`,
      });
    } else {
      chosen.push(entry);
      perArtist.set(artistId, artistSoFar + 1);
      perGenre.set(genre, genreSoFar + 1);
    }
  }
  for (const d of deferred) {
    if (chosen.length === count) break;
    chosen.push(d.entry);
  }
  return { chosen, deferred };
}
