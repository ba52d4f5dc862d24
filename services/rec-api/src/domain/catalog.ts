import type { RegionInfo, SongFeatures, UserTowerParams } from '@mlsys/recs-core';
import { unavailableBy } from '@mlsys/recs-core';

/**
 * What the gateway keeps in memory from the artifact set: the catalog facts
 * of every song (for the rules request, the response, and the final
 * licensing guard), the regional popularity lists (cold start and the
 * candidates fallback), the regions a request may name, and the user tower's
 * knobs. All of it is needed precisely when a stage is down, so it cannot
 * live behind one.
 */
export interface ServingCatalog {
  artifactVersion: string;
  /** Row = song id. */
  songs: readonly SongFeatures[];
  genres: readonly string[];
  regions: ReadonlyMap<string, RegionInfo>;
  /** Songs licensed in the region, most played there first. */
  popularByRegion: ReadonlyMap<string, readonly number[]>;
  userTower: UserTowerParams;
  /** How many candidates to ask the index for (the design's top-k). */
  candidatesK: number;
}

export interface ServingContext {
  region: string;
  nowMs: number;
  allowExplicit: boolean;
}

/**
 * The gateway's last word on a song, whatever the stages did: licensed in
 * the listener's region, released, and not explicit when the request
 * forbids it (recs-core's `unavailableBy`, the check the rules service
 * filters with). It is checked on every song served, so a rules service
 * that is late, down or wrong can never leak an unlicensed song.
 */
export function mayServe(song: SongFeatures, context: ServingContext): boolean {
  return unavailableBy(song, context) === undefined;
}
