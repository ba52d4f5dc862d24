import type { recs } from '@mlsys/datagen';
import {
  buildGenreHourTable,
  type GenreHourTable,
  isAvailable,
  localHour,
  type SongFeatures,
} from '@mlsys/recs-core';
import { countedEnd, type RecsSplit } from './split.js';

/**
 * Song features as the feature store will hold them: catalogue facts from
 * the dataset plus listen counts over the counted rows (see split.ts), in
 * total and per region.
 */
export function buildSongFeatures(dataset: recs.RecsDataset, split: RecsSplit): SongFeatures[] {
  const { meta, songs, listens, userRegion } = dataset;
  const regions = meta.regions.length;
  const total = new Int32Array(meta.counts.songs);
  const byRegion = new Int32Array(meta.counts.songs * regions);
  forEachCountedListen(dataset, split, (row, user) => {
    const song = listens.song[row]!;
    total[song]!++;
    byRegion[song * regions + userRegion[user]!]!++;
  });
  return Array.from({ length: meta.counts.songs }, (_, id): SongFeatures => {
    const regionListenCounts: Record<string, number> = {};
    meta.regions.forEach((region, r) => {
      const count = byRegion[id * regions + r]!;
      if (count > 0) regionListenCounts[region.code] = count;
    });
    return {
      id,
      artistId: songs.artist[id]!,
      genre: songs.genre[id]!,
      releaseMs: songs.releaseMs[id]!,
      licensedRegions: meta.regions
        .filter((_, r) => (songs.licenseMask[id]! & (1 << r)) !== 0)
        .map((r) => r.code),
      explicit: songs.explicit[id] === 1,
      listenCount: total[id]!,
      regionListenCounts,
    };
  });
}

/** Cold-start lists: per region, the songs playable there at `nowMs`, most played in the region first. */
export function popularityByRegion(
  songs: readonly SongFeatures[],
  regions: readonly string[],
  nowMs: number,
  length: number,
): Record<string, number[]> {
  const lists: Record<string, number[]> = {};
  for (const region of regions) {
    lists[region] = songs
      .filter((song) => isAvailable(song, region, nowMs))
      .sort(
        (a, b) =>
          (b.regionListenCounts[region] ?? 0) - (a.regionListenCounts[region] ?? 0) ||
          b.listenCount - a.listenCount ||
          a.id - b.id,
      )
      .slice(0, length)
      .map((song) => song.id);
  }
  return lists;
}

/** The genre x local-hour lift table over the counted listens. */
export function genreHourTableOf(dataset: recs.RecsDataset, split: RecsSplit): GenreHourTable {
  const { meta, songs, listens, userRegion } = dataset;
  const genres: number[] = [];
  const hours: number[] = [];
  forEachCountedListen(dataset, split, (row, user) => {
    genres.push(songs.genre[listens.song[row]!]!);
    hours.push(localHour(listens.timeMs[row]!, meta.regions[userRegion[user]!]!.utcOffsetHours));
  });
  return buildGenreHourTable(
    meta.genres.length,
    genres.length,
    (i) => genres[i]!,
    (i) => hours[i]!,
  );
}

function forEachCountedListen(
  dataset: recs.RecsDataset,
  split: RecsSplit,
  visit: (row: number, user: number) => void,
): void {
  const { userStart } = dataset.listens;
  for (let user = 0; user < userStart.length - 1; user++) {
    const end = countedEnd(split, user);
    for (let row = userStart[user]!; row < end; row++) visit(row, user);
  }
}
