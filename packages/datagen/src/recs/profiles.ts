/**
 * Dataset sizes. `tiny` keeps tests fast, `default` is what `npm start`
 * serves, `large` only feeds the ANN benchmark (song vectors and query users,
 * no listens).
 */
export interface RecsProfile {
  name: RecsProfileName;
  seed: number;
  /** Dimension of the true latent space (the same as the learned embeddings'). */
  dim: number;
  songs: number;
  artists: number;
  users: number;
  /** Mean listens per user; 0 writes no listens at all. */
  meanListensPerUser: number;
  /** Listens fall in the `windowDays` before `endMs`. */
  windowDays: number;
  /** Songs were released over the `catalogYears` before `endMs`. */
  catalogYears: number;
  endMs: number;
}

export type RecsProfileName = 'tiny' | 'default' | 'large';

const END_MS = Date.UTC(2026, 2, 1);

export const RECS_PROFILES: Readonly<Record<RecsProfileName, RecsProfile>> = {
  tiny: {
    name: 'tiny',
    seed: 7,
    dim: 64,
    songs: 2_000,
    artists: 200,
    users: 500,
    meanListensPerUser: 40,
    windowDays: 60,
    catalogYears: 10,
    endMs: END_MS,
  },
  default: {
    name: 'default',
    seed: 42,
    dim: 64,
    songs: 100_000,
    artists: 10_000,
    users: 50_000,
    meanListensPerUser: 60,
    windowDays: 90,
    catalogYears: 10,
    endMs: END_MS,
  },
  large: {
    name: 'large',
    seed: 1_000_003,
    dim: 64,
    songs: 1_000_000,
    artists: 60_000,
    users: 2_000,
    meanListensPerUser: 0,
    windowDays: 90,
    catalogYears: 10,
    endMs: END_MS,
  },
};

export function recsProfile(name: string): RecsProfile {
  if (!(name in RECS_PROFILES)) {
    throw new Error(`unknown recs profile "${name}": use one of ${Object.keys(RECS_PROFILES).join(', ')}`);
  }
  return RECS_PROFILES[name as RecsProfileName];
}
