import { Random } from '../random.js';
import { LATENT_MODEL } from './latent-model.js';
import type { RecsProfile } from './profiles.js';
import { writeNoisyUnitVector } from './vectors.js';
import { GENRES, REGIONS } from './world.js';

const DAY_MS = 86_400_000;

export interface Artists {
  count: number;
  genre: Uint8Array;
  homeRegion: Uint8Array;
  /** Relative popularity (Zipf over a random rank). */
  weight: Float64Array;
  vectors: Float32Array;
}

export interface Songs {
  count: number;
  artist: Int32Array;
  genre: Uint8Array;
  releaseMs: Float64Array;
  /** Bit r set = licensed in REGIONS[r]. */
  licenseMask: Uint16Array;
  explicit: Uint8Array;
  /** Zipf popularity weight, the prior of every draw. */
  popularity: Float64Array;
  /** True latent vectors (unit length), row-major count x dim. */
  vectors: Float32Array;
}

export interface Catalog {
  dim: number;
  /** One unit vector per genre, row-major GENRES.length x dim. */
  genreCentroids: Float32Array;
  artists: Artists;
  songs: Songs;
}

export const ALL_REGIONS_MASK = (1 << REGIONS.length) - 1;

export type Progress = (fraction: number) => void;

export function generateCatalog(profile: RecsProfile, onProgress: Progress = () => {}): Catalog {
  const { dim } = profile;
  const genreCentroids = new Float32Array(GENRES.length * dim);
  const genreRandom = Random.derive(profile.seed, 'genres');
  for (let g = 0; g < GENRES.length; g++)
    writeNoisyUnitVector(genreRandom, null, 0, 1, dim, genreCentroids, g);

  const artists = generateArtists(profile, genreCentroids);
  const songs = generateSongs(profile, artists, onProgress);
  return { dim, genreCentroids, artists, songs };
}

function generateArtists(profile: RecsProfile, genreCentroids: Float32Array): Artists {
  const random = Random.derive(profile.seed, 'artists');
  const count = profile.artists;
  const artists: Artists = {
    count,
    genre: new Uint8Array(count),
    homeRegion: new Uint8Array(count),
    weight: new Float64Array(count),
    vectors: new Float32Array(count * profile.dim),
  };
  const regionShares = REGIONS.map((r) => r.userShare);
  const ranks = random.shuffle(Int32Array.from({ length: count }, (_, i) => i));
  for (let a = 0; a < count; a++) {
    const genre = random.int(GENRES.length);
    artists.genre[a] = genre;
    artists.homeRegion[a] = random.weighted(regionShares);
    artists.weight[a] = (ranks[a]! + 1) ** -LATENT_MODEL.artistZipfExponent;
    writeNoisyUnitVector(
      random,
      genreCentroids,
      genre,
      LATENT_MODEL.artistSpread,
      profile.dim,
      artists.vectors,
      a,
    );
  }
  return artists;
}

function generateSongs(profile: RecsProfile, artists: Artists, onProgress: Progress): Songs {
  const random = Random.derive(profile.seed, 'songs');
  const count = profile.songs;
  const songs: Songs = {
    count,
    artist: new Int32Array(count),
    genre: new Uint8Array(count),
    releaseMs: new Float64Array(count),
    licenseMask: new Uint16Array(count),
    explicit: new Uint8Array(count),
    popularity: new Float64Array(count),
    vectors: new Float32Array(count * profile.dim),
  };
  const artistPicker = cumulative(artists.weight);
  const catalogDays = profile.catalogYears * 365;
  // Popular artists tend to have popular songs: rank songs by a noisy score
  // that carries part of the artist's log-popularity.
  const popularityScore = new Float64Array(count);
  const progressEvery = Math.max(1, Math.floor(count / 50));
  for (let s = 0; s < count; s++) {
    const artist = pickCumulative(artistPicker, random.float());
    songs.artist[s] = artist;
    songs.genre[s] = artists.genre[artist]!;
    // Age density 2(1 - x) over the catalog span: the catalog grows, so more songs are recent.
    const ageDays = catalogDays * (1 - Math.sqrt(random.float()));
    songs.releaseMs[s] = Math.round(profile.endMs - ageDays * DAY_MS);
    songs.licenseMask[s] = licenseMask(random, artists.homeRegion[artist]!);
    songs.explicit[s] = random.bernoulli(LATENT_MODEL.explicitShare) ? 1 : 0;
    popularityScore[s] =
      LATENT_MODEL.artistPopularityCarry * Math.log(artists.weight[artist]!) + random.normal();
    writeNoisyUnitVector(
      random,
      artists.vectors,
      artist,
      LATENT_MODEL.songSpread,
      profile.dim,
      songs.vectors,
      s,
    );
    if (s % progressEvery === 0) onProgress(s / count);
  }
  const byScore = Int32Array.from({ length: count }, (_, i) => i).sort(
    (a, b) => popularityScore[b]! - popularityScore[a]! || a - b,
  );
  for (let rank = 0; rank < count; rank++)
    songs.popularity[byScore[rank]!] = (rank + 1) ** -LATENT_MODEL.zipfExponent;
  onProgress(1);
  return songs;
}

function licenseMask(random: Random, homeRegion: number): number {
  if (!random.bernoulli(LATENT_MODEL.restrictedLicenseShare)) return ALL_REGIONS_MASK;
  let mask = 1 << homeRegion;
  for (let r = 0; r < REGIONS.length; r++) {
    if (r !== homeRegion && random.bernoulli(LATENT_MODEL.restrictedExtraRegion)) mask |= 1 << r;
  }
  return mask;
}

/** Prefix sums for inverse-CDF draws (catalog building draws once per song, so a binary search is fine). */
function cumulative(weights: Float64Array): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i]!;
    out[i] = sum;
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / sum;
  return out;
}

function pickCumulative(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
