import type { SongFeatures } from './types.js';

/** A song may be recommended in `region` at `nowMs` only when it is licensed there and already released. */
export function isAvailable(song: SongFeatures, region: string, nowMs: number): boolean {
  return song.releaseMs <= nowMs && song.licensedRegions.includes(region);
}
