import Type, { type Static } from 'typebox';
import { Identifier, LAST_DATE_MS } from './common.js';

/**
 * Bodies of the recommendation design's services: feature-store,
 * candidate-gen, ranker, rules and the public rec-api. Song ids are the
 * dense integers of the artifact set (HNSW labels, rows of the embedding
 * matrices); user ids are opaque, so a user the offline data never saw can
 * still ask (and gets a cold-start list).
 */

/** The most candidates any stage takes in one call (the ranker scores them in one ONNX run). */
export const MAX_CANDIDATES = 2000;
/** The longest list a client may ask for. */
export const MAX_RECOMMENDATIONS = 100;
/** Recent listens kept per user (the user tower and the ranker's history features read this many). */
export const MAX_RECENT_LISTENS = 50;

export const UserId = Identifier('user id');
export const SongId = Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: 'dense song id' });
export const RegionCode = Type.String({
  pattern: '^[A-Z]{2}$',
  description: 'two-letter region code, e.g. US',
  // Regions every catalog has: the OpenAPI documents show them, and the API fuzz sends them.
  examples: ['US', 'GB', 'JP'],
});
/** Epoch milliseconds; listens replayed from the data set may carry fractions. */
const EpochMs = Type.Number({ minimum: 0, maximum: LAST_DATE_MS, description: 'ms since the Unix epoch' });

/** Base64 of a typed array's little-endian bytes (the platform's order on every target here). */
const base64Bytes = (description: string, examples?: string[]) =>
  Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$', description, ...(examples ? { examples } : {}) });

function toBase64(values: Float32Array | Int32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** Decodes into a fresh, aligned array; throws (naming `what`) when the bytes are not whole 4-byte values. */
function fromBase64<T extends Float32Array | Int32Array>(
  base64: string,
  make: (length: number) => T,
  what: string,
): T {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length % 4 !== 0) throw new Error(`${what} needs a multiple of 4 bytes, got ${bytes.length}`);
  const out = make(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/**
 * A float32 vector as base64 of its little-endian bytes: a 64-d embedding is
 * 344 characters instead of ~1,300 as JSON numbers, and decodes without a
 * number parser. See `encodeFloat32` / `decodeFloat32`.
 */
export const Float32Base64 = base64Bytes('little-endian float32, base64');
export const encodeFloat32 = (vector: Float32Array): string => toBase64(vector);
export const decodeFloat32 = (base64: string): Float32Array =>
  fromBase64(base64, (n) => new Float32Array(n), 'a float32 vector');

export const RecentListen = Type.Object(
  { songId: SongId, timestampMs: EpochMs },
  { additionalProperties: false },
);
export type RecentListen = Static<typeof RecentListen>;

/**
 * Int32 values as base64 of their little-endian bytes: 1,000 song ids are
 * 5,336 characters instead of ~6,000, and decode with no number parser.
 * See `encodeInt32` / `decodeInt32`.
 */
export const Int32Base64 = base64Bytes('little-endian int32, base64');
export const encodeInt32 = (values: Int32Array): string => toBase64(values);
export const decodeInt32 = (base64: string): Int32Array =>
  fromBase64(base64, (n) => new Int32Array(n), 'an int32 array');

/**
 * Ids with a score each, best first, packed: the candidate list travels
 * between candidate-gen, rec-api and the ranker on every request, and 1,000
 * ids and scores as JSON numbers are ~25 KB that cost ~0.13 ms to encode and
 * as much to parse at each end; packed they are ~11 KB and ~4x cheaper.
 * `ids[i]` has `scores[i]`; the decoded arrays must have the same length.
 */
export const ScoredSongs = Type.Object(
  {
    // Songs 0, 1, 2 scored 0.9, 0.5, 0.1: examples of the same length, for the documents and the fuzz.
    ids: base64Bytes('little-endian int32, base64', ['AAAAAAEAAAACAAAA']),
    scores: base64Bytes('little-endian float32, base64', ['ZmZmPwAAAD/NzMw9']),
  },
  { additionalProperties: false },
);
export type ScoredSongs = Static<typeof ScoredSongs>;

// ---------------------------------------------------------------- feature-store

export const UserIdParams = Type.Object({ userId: UserId });
export type UserIdParams = Static<typeof UserIdParams>;

/** `GET /v1/users/:userId/features`: everything the user tower and the ranker need about one user. */
export const UserFeaturesResponse = Type.Object({
  userId: UserId,
  /** The materialised version these features were read from. */
  featureVersion: Type.String(),
  /** Home region from the batch data; null for a user only known from live listens. */
  region: Type.Union([RegionCode, Type.Null()]),
  /** Long-term embedding; null for a user the offline factorisation never saw. */
  embedding: Type.Union([Float32Base64, Type.Null()]),
  /** Oldest first, at most MAX_RECENT_LISTENS. */
  recentListens: Type.Array(RecentListen, { maxItems: MAX_RECENT_LISTENS }),
  /** Embedding of each distinct song in `recentListens`, joined server-side to save the caller a round trip. */
  recentSongEmbeddings: Type.Array(Type.Object({ songId: SongId, embedding: Float32Base64 }), {
    maxItems: MAX_RECENT_LISTENS,
  }),
});
export type UserFeaturesResponse = Static<typeof UserFeaturesResponse>;

/** `POST /v1/events/listen`: a user played a song (now, unless the player says when). */
export const ListenEvent = Type.Object(
  { userId: UserId, songId: SongId, timestampMs: Type.Optional(EpochMs) },
  { additionalProperties: false },
);
export type ListenEvent = Static<typeof ListenEvent>;

export const ListenAccepted = Type.Object({
  userId: UserId,
  songId: SongId,
  timestampMs: EpochMs,
  /** Versions the listen was written to (the current one, and one being materialised if any). */
  writtenTo: Type.Array(Type.String()),
});
export type ListenAccepted = Static<typeof ListenAccepted>;

/** `POST /v1/songs/features`: a batch lookup. */
export const SongFeaturesRequest = Type.Object(
  {
    ids: Type.Array(SongId, { minItems: 1, maxItems: MAX_CANDIDATES }),
    withEmbeddings: Type.Optional(Type.Boolean({ description: 'also return each song embedding' })),
  },
  { additionalProperties: false },
);
export type SongFeaturesRequest = Static<typeof SongFeaturesRequest>;

export const SongFeaturesItem = Type.Object({
  songId: SongId,
  artistId: Type.Integer({ minimum: 0 }),
  genre: Type.Integer({ minimum: 0, description: 'index into the artifact manifest `genres`' }),
  releaseMs: EpochMs,
  licensedRegions: Type.Array(RegionCode),
  explicit: Type.Boolean(),
  /** Listens in the training window, everywhere and per region: the popularity features. */
  listenCount: Type.Integer({ minimum: 0 }),
  regionListenCounts: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  embedding: Type.Optional(Float32Base64),
});
export type SongFeaturesItem = Static<typeof SongFeaturesItem>;

export const SongFeaturesResponse = Type.Object({
  featureVersion: Type.String(),
  songs: Type.Array(SongFeaturesItem),
  /** Requested ids this version does not know. */
  missing: Type.Array(SongId),
});
export type SongFeaturesResponse = Static<typeof SongFeaturesResponse>;

// ---------------------------------------------------------------- candidate-gen

/** `POST /v1/candidates`: top-k songs by inner product with the user vector. */
export const CandidatesRequest = Type.Object(
  {
    vector: Type.Array(Type.Number(), {
      minItems: 1,
      maxItems: 4096,
      description: 'user vector, index dimension',
    }),
    k: Type.Integer({ minimum: 1, maximum: MAX_CANDIDATES }),
    /** Songs never to return (e.g. just played). */
    exclude: Type.Optional(Type.Array(SongId, { maxItems: 1000 })),
  },
  { additionalProperties: false },
);
export type CandidatesRequest = Static<typeof CandidatesRequest>;

export const CandidatesResponse = Type.Object({
  /** Best first; `scores` are q . v of each song (the ranker's `ann_score`). */
  candidates: ScoredSongs,
  indexVersion: Type.String(),
});
export type CandidatesResponse = Static<typeof CandidatesResponse>;

// ---------------------------------------------------------------- ranker

/** `POST /v1/rank`: scores candidates on user x song cross features, one model call per request. */
export const RankRequest = Type.Object(
  {
    region: RegionCode,
    /** The request time (features use its local hour); defaults to the ranker's clock. */
    nowMs: Type.Optional(EpochMs),
    recentListens: Type.Array(RecentListen, { maxItems: MAX_RECENT_LISTENS }),
    /** Candidate generation's output, in its order (position = `ann_rank`). */
    candidates: ScoredSongs,
    /** Return only the best `limit` (all are scored either way); saves encoding songs nobody will look at. */
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CANDIDATES })),
  },
  { additionalProperties: false },
);
export type RankRequest = Static<typeof RankRequest>;

export const RankResponse = Type.Object({
  /** The candidates (the best `limit` of them when asked), best model score first. */
  ids: Type.Array(SongId),
  scores: Type.Array(Type.Number()),
  modelVersion: Type.String(),
});
export type RankResponse = Static<typeof RankResponse>;

// ---------------------------------------------------------------- rules

/** A ranked song with the catalog facts the business rules look at. */
export const RuleItem = Type.Object(
  {
    songId: SongId,
    score: Type.Number(),
    artistId: Type.Integer({ minimum: 0 }),
    genre: Type.Integer({ minimum: 0 }),
    releaseMs: EpochMs,
    licensedRegions: Type.Array(RegionCode),
    explicit: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type RuleItem = Static<typeof RuleItem>;

export const RulesRequest = Type.Object(
  {
    region: RegionCode,
    nowMs: EpochMs,
    allowExplicit: Type.Boolean(),
    count: Type.Integer({ minimum: 1, maximum: MAX_RECOMMENDATIONS }),
    /** Best first. */
    items: Type.Array(RuleItem, { maxItems: MAX_CANDIDATES }),
  },
  { additionalProperties: false },
);
export type RulesRequest = Static<typeof RulesRequest>;

export const RuleName = Type.Union([
  Type.Literal('licensing'),
  Type.Literal('unreleased'),
  Type.Literal('explicit'),
  Type.Literal('freshness'),
  Type.Literal('artist-diversity'),
  Type.Literal('genre-diversity'),
]);
export type RuleName = Static<typeof RuleName>;

/** One change a rule made to the list, with the reason in words. Positions are 0-based. */
export const RuleChange = Type.Object({
  songId: SongId,
  rule: RuleName,
  action: Type.Union([Type.Literal('removed'), Type.Literal('moved')]),
  reason: Type.String(),
  from: Type.Integer({ minimum: 0 }),
  /** Where the song ended up; absent when removed or pushed past the end of the list. */
  to: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type RuleChange = Static<typeof RuleChange>;

export const RulesResponse = Type.Object({
  items: Type.Array(Type.Object({ songId: SongId, score: Type.Number() })),
  changes: Type.Array(RuleChange),
  policyVersion: Type.String(),
});
export type RulesResponse = Static<typeof RulesResponse>;

// ---------------------------------------------------------------- rec-api

export const RecommendationParams = Type.Object({ userId: UserId });
export type RecommendationParams = Static<typeof RecommendationParams>;

export const RecommendationQuery = Type.Object(
  {
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RECOMMENDATIONS, default: 20 })),
    /** Where the listener is now: licensing is by the current region, not the home one. */
    region: RegionCode,
    explain: Type.Optional(Type.Boolean()),
    /** false filters explicit songs out (e.g. a family account). */
    allowExplicit: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type RecommendationQuery = Static<typeof RecommendationQuery>;

export const RecStage = Type.Union([
  Type.Literal('features'),
  Type.Literal('candidates'),
  Type.Literal('ranker'),
  Type.Literal('rules'),
]);
export type RecStage = Static<typeof RecStage>;

/** A stage that did not deliver, and what was served instead. */
export const DegradedStage = Type.Object({
  stage: RecStage,
  reason: Type.String(),
  fallback: Type.String(),
});
export type DegradedStage = Static<typeof DegradedStage>;

export const RecommendedSong = Type.Object({
  songId: SongId,
  score: Type.Number(),
  artistId: Type.Integer({ minimum: 0 }),
  genre: Type.String(),
  explicit: Type.Boolean(),
  releaseMs: EpochMs,
});
export type RecommendedSong = Static<typeof RecommendedSong>;

/** One stage's output as `explain=true` shows it: where it came from, and the songs it handed on. */
export const ExplainStage = Type.Object({
  /** e.g. `feature-store`, `ann`, `popularity`, `model`, `candidate-order`, `rules`, `local-guard`. */
  source: Type.String(),
  detail: Type.String(),
  /** Version of the model, index, features or policy that produced it. */
  version: Type.Optional(Type.String()),
  ids: Type.Array(SongId),
  scores: Type.Optional(Type.Array(Type.Number())),
  changes: Type.Optional(Type.Array(RuleChange)),
});
export type ExplainStage = Static<typeof ExplainStage>;

export const Recommendations = Type.Object({
  userId: UserId,
  region: RegionCode,
  items: Type.Array(RecommendedSong),
  /** True when any stage fell back; `degradedStages` names them. */
  degraded: Type.Boolean(),
  degradedStages: Type.Array(DegradedStage),
  /** The user had no features (new user, or none readable): the list starts from regional popularity. */
  coldStart: Type.Boolean(),
  artifactVersion: Type.String(),
  /** With `explain=true`: each stage's output, in order. */
  explain: Type.Optional(
    Type.Object({
      features: ExplainStage,
      candidates: ExplainStage,
      ranking: ExplainStage,
      rules: ExplainStage,
    }),
  ),
});
export type Recommendations = Static<typeof Recommendations>;
