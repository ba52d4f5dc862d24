/**
 * The shapes the feature store keeps and every recs stage reads. Ids are dense
 * integers (0 .. count-1), as in the training data and the HNSW labels.
 */

export interface RegionInfo {
  /** ISO-like code, e.g. `US`. */
  code: string;
  /** Local time = UTC + offset; the hour-of-day features are local. */
  utcOffsetHours: number;
}

export interface SongFeatures {
  id: number;
  artistId: number;
  /** Index into the manifest's `genres`. */
  genre: number;
  releaseMs: number;
  /** Region codes where the song may be played. */
  licensedRegions: readonly string[];
  explicit: boolean;
  /** Listens in the training window, everywhere. */
  listenCount: number;
  /** Listens in the training window per region (regions with none are absent). */
  regionListenCounts: Readonly<Record<string, number>>;
}

export interface RecentListen {
  songId: number;
  timestampMs: number;
}

export interface UserFeatures {
  id: number;
  region: string;
  /** Long-term embedding from the offline factorisation (manifest `dim` floats). */
  embedding: Float32Array;
  /** The last listens, oldest first (the feature store keeps RECENT_LISTENS_KEPT). */
  recentListens: readonly RecentListen[];
}

/** What the request brings besides the user: when and where it is asked. */
export interface RequestContext {
  nowMs: number;
  region: string;
  /** Local hour of day in [0, 24), see `localHour`. */
  hourOfDay: number;
}

/** How many recent listens the feature store keeps per user and the features look at. */
export const RECENT_LISTENS_KEPT = 50;
