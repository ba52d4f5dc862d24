import type { RecsArtifacts } from '@mlsys/recs-core/artifacts';
import { RecsArtifactError } from '@mlsys/recs-core/artifacts';
import type { ServingCatalog } from '../domain/catalog.js';

/** The gateway's in-memory catalog from the artifact set; throws RecsArtifactError when it is inconsistent. */
export function loadServingCatalog(artifacts: RecsArtifacts, candidatesK?: number): ServingCatalog {
  const { manifest } = artifacts;
  const songs = artifacts.readSongs();
  songs.forEach((song, row) => {
    if (song.id !== row)
      throw new RecsArtifactError(
        artifacts.dir,
        `songs.csv is not ordered by id (row ${row} holds song ${song.id})`,
      );
  });
  if (!manifest.userTower)
    throw new RecsArtifactError(artifacts.dir, 'the manifest has no userTower section');
  return {
    artifactVersion: manifest.artifactVersion,
    songs,
    genres: manifest.genres,
    regions: new Map(manifest.regions.map((r) => [r.code, r])),
    popularByRegion: new Map(Object.entries(artifacts.readPopularityByRegion())),
    userTower: manifest.userTower,
    candidatesK: candidatesK ?? manifest.hnsw.candidates,
  };
}
