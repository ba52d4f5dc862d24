import type { RecentListen } from '@mlsys/recs-core';
import type { SongRecord, StoredUser, UserRecord, VersionInfo } from './records.js';

/** Where the batch features come from (the offline artifact set). */
export interface FeatureSource {
  readonly artifactVersion: string;
  readonly userCount: number;
  readonly songCount: number;
  users(): Iterable<UserRecord>;
  songs(): Iterable<SongRecord>;
}

/** Writes a version beside the live one, then switches readers to it in one step. */
export interface VersionWriter {
  /** The version readers see now, and every version still stored. */
  versions(): Promise<{ current: VersionInfo | undefined; stored: VersionInfo[] }>;
  /** Marks `version` as being built, so live listens are written to it too. */
  begin(version: VersionInfo): Promise<void>;
  writeSongs(version: VersionInfo, batch: readonly SongRecord[]): Promise<void>;
  writeUsers(version: VersionInfo, batch: readonly UserRecord[]): Promise<void>;
  /** Switches readers to `version` atomically. */
  publish(version: VersionInfo): Promise<void>;
  /** Deletes every key of a version no reader uses; resolves with how many keys went. */
  collect(versionId: string): Promise<number>;
}

/** The online side: what the routes read and write. */
export interface FeatureStore {
  /** The version readers see, or undefined before the first materialisation finished. */
  current(): Promise<VersionInfo | undefined>;
  /** Undefined when the version knows nothing about the user (no batch row, no live listen). */
  user(version: VersionInfo, userId: string): Promise<StoredUser | undefined>;
  /** One entry per id, undefined for ids the version does not know. */
  songs(
    version: VersionInfo,
    ids: readonly number[],
    withEmbeddings: boolean,
  ): Promise<(SongRecord | Omit<SongRecord, 'embedding'> | undefined)[]>;
  /** Appends a listen to the user's recent history (current and building versions); resolves with the versions written. */
  recordListen(userId: string, listen: RecentListen): Promise<string[]>;
}
