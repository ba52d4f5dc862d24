import type { RecentListen, SongFeatures } from '@mlsys/recs-core';

/** One user as the batch data describes them. */
export interface UserRecord {
  userId: string;
  region: string;
  embedding: Float32Array;
  /** Oldest first. */
  recentListens: readonly RecentListen[];
}

/** One song: its catalog facts and popularity, and its embedding. */
export interface SongRecord {
  features: SongFeatures;
  embedding: Float32Array;
}

/** A materialised version of the features: written once, then switched to as a whole. */
export interface VersionInfo {
  id: string;
  /** The artifact set it was built from. */
  artifactVersion: string;
  createdAtMs: number;
  users: number;
  songs: number;
}

/** What the store holds about one user; a user known only from live listens has no region or embedding. */
export interface StoredUser {
  region: string | null;
  embedding: Float32Array | null;
  /** Oldest first, at most RECENT_LISTENS_KEPT. */
  recentListens: RecentListen[];
  /** Embedding of each distinct song listened to. */
  recentSongEmbeddings: Map<number, Float32Array>;
}
