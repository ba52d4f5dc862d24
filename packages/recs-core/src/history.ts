import type { RecentListen, SongFeatures } from './types.js';

/** How many of the latest listens define the current session's genre mix, and how fast older ones fade. */
const SESSION_LISTENS = 10;
const SESSION_DECAY = 0.7;

/** What the ranker needs to know about a user's recent listens, computed once per request. */
export interface HistorySummary {
  /** Listens summarised (those whose song is known). */
  size: number;
  artistCounts: ReadonlyMap<number, number>;
  genreCounts: ReadonlyMap<number, number>;
  /** Genre mix of the latest listens, recency-weighted, summing to 1. */
  sessionGenreShares: ReadonlyMap<number, number>;
  lastArtistListenMs: ReadonlyMap<number, number>;
}

export type SongLookup = (songId: number) => SongFeatures | undefined;

/** Summarises `recent` (oldest first); listens of songs the lookup does not know are skipped. */
export function summarizeHistory(recent: readonly RecentListen[], songOf: SongLookup): HistorySummary {
  const artistCounts = new Map<number, number>();
  const genreCounts = new Map<number, number>();
  const lastArtistListenMs = new Map<number, number>();
  const sessionWeights = new Map<number, number>();
  let size = 0;
  let sessionTotal = 0;
  let sessionWeight = 1;
  let sessionSeen = 0;
  for (let i = recent.length - 1; i >= 0; i--) {
    const listen = recent[i]!;
    const song = songOf(listen.songId);
    if (!song) continue;
    size++;
    artistCounts.set(song.artistId, (artistCounts.get(song.artistId) ?? 0) + 1);
    genreCounts.set(song.genre, (genreCounts.get(song.genre) ?? 0) + 1);
    const seen = lastArtistListenMs.get(song.artistId);
    if (seen === undefined || listen.timestampMs > seen)
      lastArtistListenMs.set(song.artistId, listen.timestampMs);
    if (sessionSeen < SESSION_LISTENS) {
      sessionWeights.set(song.genre, (sessionWeights.get(song.genre) ?? 0) + sessionWeight);
      sessionTotal += sessionWeight;
      sessionWeight *= SESSION_DECAY;
      sessionSeen++;
    }
  }
  const sessionGenreShares = new Map<number, number>();
  for (const [genre, weight] of sessionWeights) sessionGenreShares.set(genre, weight / sessionTotal);
  return { size, artistCounts, genreCounts, sessionGenreShares, lastArtistListenMs };
}
