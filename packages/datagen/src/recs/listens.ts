import { Random } from '../random.js';
import { AliasTable } from './alias-table.js';
import type { Catalog } from './catalog.js';
import { LATENT_MODEL } from './latent-model.js';
import type { RecsProfile } from './profiles.js';
import type { Users } from './users.js';
import { rowDot } from './vectors.js';
import { GENRES, REGIONS } from './world.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const REPLAY_WINDOW = 50;

/** One user's listens, chronological; reused across users to avoid garbage. */
export class ListenBuffer {
  songs: Int32Array;
  times: Float64Array;
  count = 0;

  constructor(capacity: number) {
    this.songs = new Int32Array(capacity);
    this.times = new Float64Array(capacity);
  }

  push(song: number, timeMs: number): void {
    this.songs[this.count] = song;
    this.times[this.count] = timeMs;
    this.count++;
  }
}

interface Session {
  startMs: number;
  length: number;
}

/**
 * Draws listens from the known model (see LATENT_MODEL and the README):
 * sessions start near the user's usual local hour; each listen either replays
 * a recent song, continues the previous artist, or picks a genre (the user's
 * taste and the hour of day decide) and then a song among popularity draws
 * weighted by taste and freshness. Unlicensed and unreleased songs are never
 * drawn, so licensing holds in the data itself.
 */
export class ListenGenerator {
  private readonly genreSongs: Int32Array[];
  private readonly genreAlias: (AliasTable | null)[];
  private readonly artistSongs: Int32Array[];
  private readonly artistAlias: (AliasTable | null)[];
  private readonly windowStartMs: number;
  private readonly candidates: Int32Array;
  private readonly candidateWeights: Float64Array;
  private readonly genreWeights = new Float64Array(GENRES.length);

  constructor(
    private readonly profile: RecsProfile,
    private readonly catalog: Catalog,
    private readonly users: Users,
  ) {
    const { songs, artists } = catalog;
    this.genreSongs = groupBy(songs.genre, GENRES.length);
    this.genreAlias = this.genreSongs.map((ids) => popularityAlias(songs.popularity, ids));
    this.artistSongs = groupBy(songs.artist, artists.count);
    this.artistAlias = this.artistSongs.map((ids) => popularityAlias(songs.popularity, ids));
    this.windowStartMs = profile.endMs - profile.windowDays * DAY_MS;
    this.candidates = new Int32Array(LATENT_MODEL.candidatesPerDraw);
    this.candidateWeights = new Float64Array(LATENT_MODEL.candidatesPerDraw);
  }

  /** Fills `out` with the listens of `user`; each user has its own random stream, so users are independent. */
  generate(user: number, out: ListenBuffer): void {
    out.count = 0;
    const random = Random.derive(this.profile.seed, `listens:${user}`);
    const region = this.users.region[user]!;
    const utcOffsetHours = REGIONS[region]!.utcOffsetHours;
    const genreAffinity = new Float64Array(GENRES.length);
    for (let g = 0; g < GENRES.length; g++) {
      genreAffinity[g] = rowDot(this.users.vectors, user, this.catalog.genreCentroids, g, this.catalog.dim);
    }

    for (const session of this.sessions(random, user, utcOffsetHours)) {
      let timeMs = session.startMs;
      let sessionGenre = -1;
      let previousSong = -1;
      for (let i = 0; i < session.length && timeMs < this.profile.endMs; i++) {
        let song = -1;
        if (out.count > 0 && random.bernoulli(LATENT_MODEL.replay)) {
          const window = Math.min(REPLAY_WINDOW, out.count);
          song = out.songs[out.count - 1 - random.int(window)]!;
        } else if (previousSong >= 0 && random.bernoulli(LATENT_MODEL.artistContinuation)) {
          song = this.sameArtistSong(random, previousSong, region, timeMs);
        }
        if (song < 0) {
          if (sessionGenre < 0 || !random.bernoulli(LATENT_MODEL.sessionStickiness)) {
            sessionGenre = this.drawGenre(random, genreAffinity, localHour(timeMs, utcOffsetHours));
          }
          song = this.drawSongInGenre(random, user, sessionGenre, region, timeMs);
        }
        if (song >= 0) {
          out.push(song, timeMs);
          previousSong = song;
        }
        timeMs += (150 + random.int(180)) * 1_000;
      }
    }
  }

  /** Session start times, sorted and made non-overlapping so a user's listens are strictly chronological. */
  private sessions(random: Random, user: number, utcOffsetHours: number): Session[] {
    const sessions: Session[] = [];
    let remaining = this.users.listenCount[user]!;
    while (remaining > 0) {
      const length = Math.min(remaining, random.geometric(LATENT_MODEL.meanSessionLength));
      const hour = random.bernoulli(LATENT_MODEL.offHourSessions)
        ? random.float() * 24
        : this.users.usualHour[user]! + 1.5 * random.normal();
      const day = random.int(this.profile.windowDays);
      let startMs = this.windowStartMs + day * DAY_MS + (hour - utcOffsetHours) * HOUR_MS;
      if (startMs < this.windowStartMs) startMs += DAY_MS;
      if (startMs >= this.profile.endMs) startMs -= DAY_MS;
      sessions.push({ startMs: Math.round(startMs), length });
      remaining -= length;
    }
    sessions.sort((a, b) => a.startMs - b.startMs);
    // A listen lasts at most 330 s; a later session never starts before the previous one ended.
    let freeAtMs = -Infinity;
    for (const session of sessions) {
      session.startMs = Math.max(session.startMs, freeAtMs + 30 * MINUTE_MS);
      freeAtMs = session.startMs + session.length * 330_000;
    }
    return sessions;
  }

  private drawGenre(random: Random, genreAffinity: Float64Array, hour: number): number {
    let max = -Infinity;
    for (let g = 0; g < GENRES.length; g++) {
      const peak = GENRES[g]!.peakHour;
      const hourTerm =
        peak === null ? 0 : LATENT_MODEL.hourEffect * Math.cos((2 * Math.PI * (hour - peak)) / 24);
      const logit = LATENT_MODEL.genreSharpness * genreAffinity[g]! + hourTerm;
      this.genreWeights[g] = logit;
      if (logit > max) max = logit;
    }
    for (let g = 0; g < GENRES.length; g++) this.genreWeights[g] = Math.exp(this.genreWeights[g]! - max);
    return random.weighted(this.genreWeights);
  }

  /** Sampling-importance-resampling: popularity proposes, taste and freshness choose. */
  private drawSongInGenre(
    random: Random,
    user: number,
    genre: number,
    region: number,
    timeMs: number,
  ): number {
    const ids = this.genreSongs[genre]!;
    const alias = this.genreAlias[genre];
    if (!alias) return -1;
    const wanted = LATENT_MODEL.candidatesPerDraw;
    let found = 0;
    for (let attempt = 0; attempt < wanted * 8 && found < wanted; attempt++) {
      const song = ids[alias.draw(random)]!;
      if (!this.available(song, region, timeMs)) continue;
      const taste = rowDot(this.users.vectors, user, this.catalog.songs.vectors, song, this.catalog.dim);
      this.candidates[found] = song;
      this.candidateWeights[found] =
        Math.exp(LATENT_MODEL.tasteSharpness * taste) * this.freshness(song, timeMs);
      found++;
    }
    if (found === 0) return -1;
    return this.candidates[random.weighted(this.candidateWeights.subarray(0, found))]!;
  }

  private sameArtistSong(random: Random, previousSong: number, region: number, timeMs: number): number {
    const artist = this.catalog.songs.artist[previousSong]!;
    const alias = this.artistAlias[artist];
    if (!alias) return -1;
    const ids = this.artistSongs[artist]!;
    for (let attempt = 0; attempt < 10; attempt++) {
      const song = ids[alias.draw(random)]!;
      if (song !== previousSong && this.available(song, region, timeMs)) return song;
    }
    return -1;
  }

  private available(song: number, region: number, timeMs: number): boolean {
    const { songs } = this.catalog;
    return (songs.licenseMask[song]! & (1 << region)) !== 0 && songs.releaseMs[song]! <= timeMs;
  }

  private freshness(song: number, timeMs: number): number {
    const ageDays = (timeMs - this.catalog.songs.releaseMs[song]!) / DAY_MS;
    return 1 + LATENT_MODEL.freshnessBoost * Math.exp(-ageDays / LATENT_MODEL.freshnessDays);
  }
}

/** Local hour of day in [0, 24) of a UTC instant in a region with the given offset. */
export function localHour(timeMs: number, utcOffsetHours: number): number {
  const hours = timeMs / HOUR_MS + utcOffsetHours;
  return ((hours % 24) + 24) % 24;
}

function groupBy(keys: ArrayLike<number>, groups: number): Int32Array[] {
  const counts = new Int32Array(groups);
  for (let i = 0; i < keys.length; i++) counts[keys[i]!]!++;
  const out = Array.from(counts, (c) => new Int32Array(c));
  const filled = new Int32Array(groups);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    out[key]![filled[key]!++] = i;
  }
  return out;
}

/** Popularity draws among `ids`, or null for a group with no songs. */
function popularityAlias(popularity: Float64Array, ids: Int32Array): AliasTable | null {
  return ids.length === 0 ? null : new AliasTable(Float64Array.from(ids, (id) => popularity[id]!));
}
