import type { GenreHourTable, RegionInfo, SongFeatures } from '@mlsys/recs-core';

/**
 * The song-side inputs of the ranker's features, loaded with the model from
 * the same artifact set: popularity counts and the genre-hour table are
 * statistics of the training window, so they must come from the version the
 * model was trained on, or serving would feed the model other numbers than
 * training did.
 */
export interface RankerCatalog {
  /** Row = song id. */
  songs: readonly SongFeatures[];
  genreHourLift: GenreHourTable;
  regions: ReadonlyMap<string, RegionInfo>;
}

export function buildCatalog(
  songs: readonly SongFeatures[],
  genreHourLift: GenreHourTable,
  regions: readonly RegionInfo[],
): RankerCatalog {
  songs.forEach((song, row) => {
    if (song.id !== row) throw new Error(`songs must be ordered by id: row ${row} holds song ${song.id}`);
  });
  return { songs, genreHourLift, regions: new Map(regions.map((r) => [r.code, r])) };
}
