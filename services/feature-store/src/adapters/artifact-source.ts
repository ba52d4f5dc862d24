import { row } from '@mlsys/recs-core';
import { type RecsArtifacts, recentListensOf } from '@mlsys/recs-core/artifacts';
import type { FeatureSource } from '../domain/ports.js';
import type { SongRecord, UserRecord } from '../domain/records.js';

/**
 * The batch features of an artifact set, read once and handed out record by
 * record (the embedding rows are views into the loaded matrices, no copies).
 */
export function artifactFeatureSource(artifacts: RecsArtifacts): FeatureSource {
  const { dim, artifactVersion, counts } = artifacts.manifest;
  return {
    artifactVersion,
    userCount: counts.users,
    songCount: counts.songs,
    *songs(): Iterable<SongRecord> {
      const embeddings = artifacts.readSongEmbeddings();
      for (const features of artifacts.readSongs())
        yield { features, embedding: row(embeddings, dim, features.id) };
    },
    *users(): Iterable<UserRecord> {
      const embeddings = artifacts.readUserEmbeddings();
      const listens = artifacts.readRecentListens();
      for (const user of artifacts.readUsers()) {
        yield {
          userId: String(user.id),
          region: user.region,
          embedding: row(embeddings, dim, user.id),
          recentListens: recentListensOf(listens, user.id),
        };
      }
    },
  };
}
