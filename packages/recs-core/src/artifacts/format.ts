import Type, { type Static } from 'typebox';
import type { SongFeatures } from '../types.js';

/**
 * The recs artifact set the offline pipeline writes to
 * `.cache/artifacts/recs/<profile>/` and the services load at start.
 * Bump the version on any change a reader must know about: services refuse
 * to start on another version instead of misreading a file.
 */
export const RECS_ARTIFACT_FORMAT_VERSION = 1;

export const MANIFEST_FILE = 'manifest.json';

/** File of each role. Binary files are little-endian. */
export const ARTIFACT_FILES = {
  /** SONGS_CSV_HEADER columns; licensedRegions `US|GB`, regionListenCounts `US:12|GB:3`. */
  songs: 'songs.csv',
  /** `id,region`. */
  users: 'users.csv',
  /** songs x dim float32, row = song id: the ALS item factors the index was built from. */
  songEmbeddings: 'song-embeddings.f32',
  /** users x dim float32, row = user id: the long-term user embeddings. */
  userEmbeddings: 'user-embeddings.f32',
  /** RECENT_LISTEN_RECORD_BYTES per listen (u32 userId, u32 songId, f64 timestampMs), by user, oldest first. */
  recentListens: 'user-recent-listens.bin',
  /** hnswlib 0.8 index, space ANN_SPACE, labels = song ids, vectors of manifest `hnsw.dim` (candidate-space.ts). */
  hnsw: 'hnsw.bin',
  /** LightGBM LambdaRank as ONNX: float32 [n, features] in, float32 score per row out. */
  ranker: 'ranker.onnx',
  /** `{ "US": [songId, ...], ... }`: licensed songs by listens in the region, most played first (cold start). */
  popularityByRegion: 'popularity-by-region.json',
  /** GenreHourTable as JSON. */
  genreHourLift: 'genre-hour-lift.json',
  /** queries x dim float32: user-like query vectors for the ANN benchmark. */
  annQueries: 'ann-queries.f32',
  /** How this set was chosen and how well it does offline (sweeps, metrics); for people, not services. */
  offlineReport: 'offline-report.json',
} as const;

export type ArtifactRole = keyof typeof ARTIFACT_FILES;

export type ArtifactKind = 'serving' | 'ann-benchmark';

/** What each kind of artifact set must contain. */
export const REQUIRED_ROLES: Readonly<Record<ArtifactKind, readonly ArtifactRole[]>> = {
  serving: [
    'songs',
    'users',
    'songEmbeddings',
    'userEmbeddings',
    'recentListens',
    'hnsw',
    'ranker',
    'popularityByRegion',
    'genreHourLift',
  ],
  'ann-benchmark': ['songEmbeddings', 'hnsw', 'annQueries'],
};

export const RECENT_LISTEN_RECORD_BYTES = 16;

const FileEntry = Type.Object({
  path: Type.String({ minLength: 1 }),
  bytes: Type.Integer({ minimum: 0 }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
});

export const HnswParams = Type.Object({
  library: Type.String(),
  space: Type.Literal('ip'),
  /** Dimension of the index's vectors: the embedding's plus one for popularity (candidate-space.ts), or the embedding's. */
  dim: Type.Integer({ minimum: 1 }),
  /** `popularityScale(max listens)` the song vectors were built with; absent when the index holds raw vectors. */
  popularityScale: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  m: Type.Integer({ minimum: 2 }),
  efConstruction: Type.Integer({ minimum: 1 }),
  /** ef to set at load time: the smallest that met the recall target in the sweep. */
  efSearch: Type.Integer({ minimum: 1 }),
  /** How many candidates the design asks of the index (top-k). */
  candidates: Type.Integer({ minimum: 1 }),
  buildSeconds: Type.Number({ minimum: 0 }),
});
export type HnswParams = Static<typeof HnswParams>;

export const UserTowerParamsSchema = Type.Object({
  recentWeight: Type.Number({ minimum: 0, maximum: 1 }),
  positionDecay: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
  halfLifeHours: Type.Number({ exclusiveMinimum: 0 }),
  popularityWeight: Type.Number({ minimum: 0 }),
});

/** The ranker's exploration places (../exploration.ts), tuned for the model it ships with. */
export const ExplorationParamsSchema = Type.Object({
  confidence: Type.Number(),
  temperature: Type.Number({ exclusiveMinimum: 0 }),
});

export const RankerInfo = Type.Object({
  featureNames: Type.Array(Type.String()),
  inputName: Type.String(),
  outputName: Type.String(),
  trees: Type.Integer({ minimum: 1 }),
});
export type RankerInfo = Static<typeof RankerInfo>;

/**
 * The span of time the training data covers (epoch ms, end exclusive). The
 * services' serving clock starts at `endMs` (see ../clock.ts): the data is
 * synthetic and dated, so "now" must be where the data ends, not the wall
 * clock, or every song looks months old and every listen stale.
 */
export const DataWindow = Type.Object({
  startMs: Type.Number(),
  endMs: Type.Number(),
});
export type DataWindow = Static<typeof DataWindow>;

export const RecsManifest = Type.Object({
  formatVersion: Type.Integer(),
  design: Type.Literal('recs'),
  kind: Type.Union([Type.Literal('serving'), Type.Literal('ann-benchmark')]),
  profile: Type.String(),
  /** Hash of the parameters and every file's hash: what /readyz reports; it changes when anything does. */
  artifactVersion: Type.String({ minLength: 8 }),
  createdAt: Type.String(),
  dim: Type.Integer({ minimum: 1 }),
  counts: Type.Object({
    songs: Type.Integer({ minimum: 0 }),
    users: Type.Integer({ minimum: 0 }),
    artists: Type.Optional(Type.Integer({ minimum: 0 })),
    trainListens: Type.Optional(Type.Integer({ minimum: 0 })),
    annQueries: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
  genres: Type.Array(Type.String()),
  regions: Type.Array(Type.Object({ code: Type.String(), utcOffsetHours: Type.Number() })),
  hnsw: HnswParams,
  userTower: Type.Optional(UserTowerParamsSchema),
  ranker: Type.Optional(RankerInfo),
  /** Absent (sets written before it existed, or tuned to none): the ranker serves its plain score order. */
  exploration: Type.Optional(ExplorationParamsSchema),
  /** Absent in sets written before the serving clock existed: services then run on the wall clock. */
  dataWindow: Type.Optional(DataWindow),
  files: Type.Record(Type.String(), FileEntry),
});
export type RecsManifest = Static<typeof RecsManifest>;

export const SONGS_CSV_HEADER =
  'id,artistId,genre,releaseMs,licensedRegions,explicit,listenCount,regionListenCounts';

export function encodeSongRow(song: SongFeatures): string {
  const regionCounts = Object.entries(song.regionListenCounts)
    .map(([region, count]) => `${region}:${count}`)
    .join('|');
  return [
    song.id,
    song.artistId,
    song.genre,
    song.releaseMs,
    song.licensedRegions.join('|'),
    song.explicit ? 1 : 0,
    song.listenCount,
    regionCounts,
  ].join(',');
}

export function decodeSongRow(line: string): SongFeatures {
  const cells = line.split(',');
  if (cells.length !== 8) throw new Error(`expected 8 columns (${SONGS_CSV_HEADER}), got ${cells.length}`);
  const regionListenCounts: Record<string, number> = {};
  if (cells[7]) {
    for (const pair of cells[7].split('|')) {
      const [region, count] = pair.split(':');
      regionListenCounts[region!] = Number(count);
    }
  }
  return {
    id: Number(cells[0]),
    artistId: Number(cells[1]),
    genre: Number(cells[2]),
    releaseMs: Number(cells[3]),
    licensedRegions: cells[4] ? cells[4].split('|') : [],
    explicit: cells[5] === '1',
    listenCount: Number(cells[6]),
    regionListenCounts,
  };
}
