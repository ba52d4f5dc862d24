import { existsSync, readFileSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
import { join, resolve } from 'node:path';
import { compileSchema, describeErrors } from '@mlsys/contracts';
import { RANKER_FEATURES } from '../cross-features.js';
import type { GenreHourTable } from '../genre-hour-lift.js';
import type { RecentListen, SongFeatures } from '../types.js';
import { RecsArtifactError } from './errors.js';
import {
  type ArtifactKind,
  type ArtifactRole,
  decodeSongRow,
  MANIFEST_FILE,
  RECENT_LISTEN_RECORD_BYTES,
  RECS_ARTIFACT_FORMAT_VERSION,
  REQUIRED_ROLES,
  RecsManifest,
} from './format.js';

const manifestValidator = compileSchema(RecsManifest);

export interface UserRecord {
  id: number;
  region: string;
}

/** Every user's recent listens in three columns; user u owns rows userStart[u] .. userStart[u + 1] - 1. */
export interface RecentListensTable {
  userStart: Int32Array;
  songId: Int32Array;
  timestampMs: Float64Array;
}

/**
 * A validated artifact set. Construction checks everything cheap (manifest,
 * version, kind, every file present with its recorded size, ranker features);
 * the `read*` methods parse a file when a service actually needs it, so the
 * candidate service does not parse 2.5M listens it never uses.
 */
export interface RecsArtifacts {
  dir: string;
  manifest: RecsManifest;
  /** Absolute path of each file, for native loaders (hnswlib-node, onnxruntime-node). */
  path(role: ArtifactRole): string;
  readSongs(): SongFeatures[];
  readUsers(): UserRecord[];
  readSongEmbeddings(): Float32Array;
  readUserEmbeddings(): Float32Array;
  readRecentListens(): RecentListensTable;
  readPopularityByRegion(): Record<string, number[]>;
  readGenreHourLift(): GenreHourTable;
  readAnnQueries(): Float32Array;
}

/** Opens the serving set a recs service needs; throws RecsArtifactError saying what is wrong and how to fix it. */
export function loadRecsArtifacts(dir: string): RecsArtifacts {
  return openArtifacts(dir, 'serving');
}

/** Opens the set the ANN benchmark needs (song embeddings, index, query vectors). */
export function loadAnnBenchmarkArtifacts(dir: string): RecsArtifacts {
  return openArtifacts(dir, 'ann-benchmark');
}

function openArtifacts(dirArg: string, kind: ArtifactKind): RecsArtifacts {
  const dir = resolve(dirArg);
  const fail = (problem: string): never => {
    throw new RecsArtifactError(dir, problem);
  };
  const manifest = readManifest(dir, fail);
  if (manifest.kind !== kind) fail(`the set is of kind "${manifest.kind}", this reader needs "${kind}"`);

  for (const role of REQUIRED_ROLES[kind]) {
    if (!manifest.files[role]) fail(`the manifest lists no "${role}" file`);
  }
  for (const [role, entry] of Object.entries(manifest.files)) {
    const file = join(dir, entry.path);
    if (!existsSync(file)) fail(`${entry.path} (${role}) is missing`);
    const bytes = statSync(file).size;
    if (bytes !== entry.bytes) {
      fail(
        `${entry.path} is ${bytes} bytes but the manifest says ${entry.bytes} (an interrupted or mixed build)`,
      );
    }
  }
  const floats = (role: ArtifactRole) => (manifest.files[role]?.bytes ?? 0) / 4;
  if (manifest.files.songEmbeddings && floats('songEmbeddings') !== manifest.counts.songs * manifest.dim) {
    fail(
      `song-embeddings holds ${floats('songEmbeddings')} floats, expected songs x dim = ${manifest.counts.songs} x ${manifest.dim}`,
    );
  }
  if (manifest.files.userEmbeddings && floats('userEmbeddings') !== manifest.counts.users * manifest.dim) {
    fail(
      `user-embeddings holds ${floats('userEmbeddings')} floats, expected users x dim = ${manifest.counts.users} x ${manifest.dim}`,
    );
  }
  if (kind === 'serving') {
    if (!manifest.ranker) fail('the manifest has no ranker section');
    if (!manifest.userTower) fail('the manifest has no userTower section');
    if (manifest.hnsw.dim !== manifest.dim + 1 || manifest.hnsw.popularityScale === undefined) {
      fail(
        `the index holds ${manifest.hnsw.dim}-d vectors; the tower queries dim + 1 = ${manifest.dim + 1} (taste + popularity)`,
      );
    }
    const trained = manifest.ranker!.featureNames.join(',');
    if (trained !== RANKER_FEATURES.join(',')) {
      fail(
        `the ranker was trained on features [${trained}] but this code computes [${RANKER_FEATURES.join(',')}]`,
      );
    }
  }

  const path = (role: ArtifactRole): string => {
    const entry = manifest.files[role];
    if (!entry) return fail(`the manifest lists no "${role}" file`);
    return join(dir, entry.path);
  };
  const text = (role: ArtifactRole) => readFileSync(path(role), 'utf8');
  const float32 = (role: ArtifactRole) => readFloat32(path(role));

  return {
    dir,
    manifest,
    path,
    readSongs: () => csvRows(text('songs')).map(decodeSongRow),
    readUsers: () =>
      csvRows(text('users')).map((line) => {
        const [id, region] = line.split(',');
        return { id: Number(id), region: region! };
      }),
    readSongEmbeddings: () => float32('songEmbeddings'),
    readUserEmbeddings: () => float32('userEmbeddings'),
    readRecentListens: () => readRecentListens(path('recentListens'), manifest.counts.users),
    readPopularityByRegion: () => JSON.parse(text('popularityByRegion')) as Record<string, number[]>,
    readGenreHourLift: () => JSON.parse(text('genreHourLift')) as GenreHourTable,
    readAnnQueries: () => float32('annQueries'),
  };
}

function readManifest(dir: string, fail: (problem: string) => never): RecsManifest {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) fail(`${MANIFEST_FILE} is missing (no artifact set was built here)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`${MANIFEST_FILE} is not valid JSON (${(error as Error).message})`);
  }
  // The version first: a manifest of another version may have another shape, and
  // "wrong version" is the useful message then, not a list of schema errors.
  const version = (raw as { formatVersion?: unknown } | null)?.formatVersion;
  if (version !== RECS_ARTIFACT_FORMAT_VERSION) {
    fail(
      `format version ${JSON.stringify(version)}, this code reads version ${RECS_ARTIFACT_FORMAT_VERSION}`,
    );
  }
  const decoded = manifestValidator.validate(raw);
  if (!decoded.ok) fail(`${MANIFEST_FILE} is malformed: ${describeErrors(decoded.errors)}`);
  return (decoded as { value: RecsManifest }).value;
}

/** Rows of a CSV text without its header line. */
function csvRows(text: string): string[] {
  return text
    .split('\n')
    .slice(1)
    .filter((line) => line.length > 0);
}

function readFloat32(file: string): Float32Array {
  assertLittleEndian();
  const bytes = readFileSync(file);
  return bytes.byteOffset % 4 === 0
    ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)
    : new Float32Array(new Uint8Array(bytes).buffer);
}

function readRecentListens(file: string, users: number): RecentListensTable {
  assertLittleEndian();
  const bytes = readFileSync(file);
  const count = bytes.length / RECENT_LISTEN_RECORD_BYTES;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const table: RecentListensTable = {
    userStart: new Int32Array(users + 1),
    songId: new Int32Array(count),
    timestampMs: new Float64Array(count),
  };
  let previousUser = 0;
  for (let i = 0; i < count; i++) {
    const offset = i * RECENT_LISTEN_RECORD_BYTES;
    const user = view.getUint32(offset, true);
    // Rows are grouped by ascending user; every user between the previous and this one starts here.
    while (previousUser < user) table.userStart[++previousUser] = i;
    table.songId[i] = view.getUint32(offset + 4, true);
    table.timestampMs[i] = view.getFloat64(offset + 8, true);
  }
  while (previousUser < users) table.userStart[++previousUser] = count;
  return table;
}

/** One user's recent listens, oldest first. */
export function recentListensOf(table: RecentListensTable, userId: number): RecentListen[] {
  const out: RecentListen[] = [];
  for (let i = table.userStart[userId]!; i < table.userStart[userId + 1]!; i++) {
    out.push({ songId: table.songId[i]!, timestampMs: table.timestampMs[i]! });
  }
  return out;
}

function assertLittleEndian(): void {
  if (endianness() !== 'LE')
    throw new Error('recs artifact binaries are little-endian; this host is big-endian');
}
