import { Random } from '../random.js';
import { LATENT_MODEL } from './latent-model.js';
import type { RecsProfile } from './profiles.js';
import { writeNoisyUnitVector } from './vectors.js';
import { GENRES, REGIONS } from './world.js';

export interface Users {
  count: number;
  region: Uint8Array;
  /** How many listens the user makes over the window. */
  listenCount: Int32Array;
  /** Local hour around which the user's sessions start. */
  usualHour: Float32Array;
  /** True taste vectors (unit length), row-major count x dim. */
  vectors: Float32Array;
}

/** Most users love one to three genres; their taste is a noisy mix of those genres' centroids. */
export function generateUsers(profile: RecsProfile, genreCentroids: Float32Array): Users {
  const random = Random.derive(profile.seed, 'users');
  const { dim } = profile;
  const count = profile.users;
  const users: Users = {
    count,
    region: new Uint8Array(count),
    listenCount: new Int32Array(count),
    usualHour: new Float32Array(count),
    vectors: new Float32Array(count * dim),
  };
  const regionShares = REGIONS.map((r) => r.userShare);
  const mix = new Float32Array(dim);
  for (let u = 0; u < count; u++) {
    users.region[u] = random.weighted(regionShares);
    users.listenCount[u] = profile.meanListensPerUser > 0 ? activity(random, profile.meanListensPerUser) : 0;
    users.usualHour[u] = usualHour(random);

    mix.fill(0);
    const favourites = 1 + random.int(3);
    for (let f = 0; f < favourites; f++) {
      const genre = random.int(GENRES.length);
      const weight = 0.4 + random.float();
      for (let k = 0; k < dim; k++) mix[k] = mix[k]! + weight * genreCentroids[genre * dim + k]!;
    }
    normalizeInPlace(mix);
    writeNoisyUnitVector(random, mix, 0, LATENT_MODEL.tasteSpread, dim, users.vectors, u);
  }
  return users;
}

/** Log-normal activity: a few heavy listeners, many light ones, at least 5 listens. */
function activity(random: Random, mean: number): number {
  const sigma = 0.8;
  const mu = Math.log(mean) - (sigma * sigma) / 2;
  return Math.min(2_000, Math.max(5, Math.round(Math.exp(mu + sigma * random.normal()))));
}

/** Commute, lunch or evening listeners, with a personal spread. */
function usualHour(random: Random): number {
  const peaks = [8, 13, 20];
  const peak = peaks[random.weighted([0.3, 0.2, 0.5])]!;
  return (((peak + 2 * random.normal()) % 24) + 24) % 24;
}

function normalizeInPlace(v: Float32Array): void {
  let norm = 0;
  for (let k = 0; k < v.length; k++) norm += v[k]! * v[k]!;
  const inverse = 1 / Math.sqrt(norm);
  for (let k = 0; k < v.length; k++) v[k] = v[k]! * inverse;
}
