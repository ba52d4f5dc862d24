import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alignedCopy, readFloat32Matrix } from './binary-io.js';
import type { LATENT_MODEL } from './latent-model.js';
import type { GenreSpec } from './world.js';

/**
 * On-disk layout of one generated dataset (`.cache/data/recs/<profile>/`):
 *
 * - meta.json          RecsDataMeta; written last, so its presence means the set is complete
 * - songs.csv          id,artistId,genre,releaseMs,licensedRegions,explicit  (regions: `*` or `US|GB`)
 * - artists.csv        id,genre,homeRegion
 * - users.csv          id,region
 * - song-factors.f32   true latent song vectors, songs x dim float32 little-endian
 * - user-factors.f32   true taste vectors, users x dim float32 little-endian
 * - listens.bin        LISTEN_RECORD_BYTES per listen: u32 userId, u32 songId, f64 timestamp ms;
 *                      grouped by user (ascending), chronological within a user
 */
export const DATASET_FILES = {
  meta: 'meta.json',
  songs: 'songs.csv',
  artists: 'artists.csv',
  users: 'users.csv',
  songFactors: 'song-factors.f32',
  userFactors: 'user-factors.f32',
  listens: 'listens.bin',
} as const;

export const DATASET_FORMAT_VERSION = 1;
export const LISTEN_RECORD_BYTES = 16;
export const ALL_REGIONS = '*';

export interface RecsDataMeta {
  formatVersion: number;
  profile: string;
  seed: number;
  dim: number;
  counts: { songs: number; artists: number; users: number; listens: number };
  window: { startMs: number; endMs: number };
  genres: GenreSpec[];
  regions: { code: string; utcOffsetHours: number }[];
  model: typeof LATENT_MODEL;
}

export interface SongTable {
  artist: Int32Array;
  genre: Uint8Array;
  releaseMs: Float64Array;
  /** Bit r set = licensed in meta.regions[r]. */
  licenseMask: Uint16Array;
  explicit: Uint8Array;
}

export interface ListenTable {
  count: number;
  user: Uint32Array;
  song: Uint32Array;
  timeMs: Float64Array;
  /** Listens of user u are rows userStart[u] .. userStart[u + 1] - 1. */
  userStart: Int32Array;
}

export interface RecsDataset {
  meta: RecsDataMeta;
  songs: SongTable;
  artistGenre: Uint8Array;
  userRegion: Uint8Array;
  songFactors: Float32Array;
  userFactors: Float32Array;
  listens: ListenTable;
}

export function readDatasetMeta(dir: string): RecsDataMeta {
  const meta = JSON.parse(readFileSync(join(dir, DATASET_FILES.meta), 'utf8')) as RecsDataMeta;
  if (meta.formatVersion !== DATASET_FORMAT_VERSION) {
    throw new Error(
      `${dir}: dataset format ${meta.formatVersion}, this code reads ${DATASET_FORMAT_VERSION}; regenerate it (training recs --force)`,
    );
  }
  return meta;
}

/** Loads a whole dataset into typed arrays (a default profile is about 60 MB of listens). */
export function readRecsDataset(dir: string): RecsDataset {
  const meta = readDatasetMeta(dir);
  const regionIndex = new Map(meta.regions.map((r, i) => [r.code, i]));
  const songs = readSongs(join(dir, DATASET_FILES.songs), meta.counts.songs, regionIndex);
  const artistGenre = new Uint8Array(meta.counts.artists);
  forEachCsvRow(join(dir, DATASET_FILES.artists), (cells) => {
    artistGenre[Number(cells[0])] = Number(cells[1]);
  });
  const userRegion = new Uint8Array(meta.counts.users);
  forEachCsvRow(join(dir, DATASET_FILES.users), (cells) => {
    userRegion[Number(cells[0])] = regionIndex.get(cells[1]!)!;
  });
  return {
    meta,
    songs,
    artistGenre,
    userRegion,
    songFactors: readFloat32Matrix(join(dir, DATASET_FILES.songFactors), meta.dim, meta.counts.songs),
    userFactors: readFloat32Matrix(join(dir, DATASET_FILES.userFactors), meta.dim, meta.counts.users),
    listens: readListens(join(dir, DATASET_FILES.listens), meta.counts.users),
  };
}

function readSongs(path: string, count: number, regionIndex: Map<string, number>): SongTable {
  const songs: SongTable = {
    artist: new Int32Array(count),
    genre: new Uint8Array(count),
    releaseMs: new Float64Array(count),
    licenseMask: new Uint16Array(count),
    explicit: new Uint8Array(count),
  };
  const allMask = (1 << regionIndex.size) - 1;
  forEachCsvRow(path, (cells) => {
    const id = Number(cells[0]);
    songs.artist[id] = Number(cells[1]);
    songs.genre[id] = Number(cells[2]);
    songs.releaseMs[id] = Number(cells[3]);
    songs.licenseMask[id] = cells[4] === ALL_REGIONS ? allMask : regionMask(cells[4]!, regionIndex);
    songs.explicit[id] = Number(cells[5]);
  });
  return songs;
}

export function regionMask(codes: string, regionIndex: Map<string, number>): number {
  let mask = 0;
  for (const code of codes.split('|')) {
    const index = regionIndex.get(code);
    if (index === undefined) throw new Error(`unknown region "${code}" in licensedRegions`);
    mask |= 1 << index;
  }
  return mask;
}

function readListens(path: string, users: number): ListenTable {
  const bytes = readFileSync(path);
  if (bytes.length % LISTEN_RECORD_BYTES !== 0) throw new Error(`${path}: truncated (${bytes.length} bytes)`);
  const count = bytes.length / LISTEN_RECORD_BYTES;
  const words = new Uint32Array(alignedCopy(bytes));
  const doubles = new Float64Array(words.buffer);
  const table: ListenTable = {
    count,
    user: new Uint32Array(count),
    song: new Uint32Array(count),
    timeMs: new Float64Array(count),
    userStart: new Int32Array(users + 1),
  };
  for (let i = 0; i < count; i++) {
    table.user[i] = words[i * 4]!;
    table.song[i] = words[i * 4 + 1]!;
    table.timeMs[i] = doubles[i * 2 + 1]!;
  }
  // Rows are grouped by ascending user id, so each user's slice starts where the previous one ends.
  let row = 0;
  for (let u = 0; u <= users; u++) {
    while (row < count && table.user[row]! < u) row++;
    table.userStart[u] = row;
  }
  return table;
}

/** Calls `onRow` with the cells of every data row (the header is skipped). Cells never contain commas. */
export function forEachCsvRow(path: string, onRow: (cells: string[]) => void): void {
  const text = readFileSync(path, 'utf8');
  let start = text.indexOf('\n') + 1;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) onRow(text.slice(start, end).split(','));
    start = end + 1;
  }
}
