import type { recs } from '@mlsys/datagen';
import type { ServingSettings } from './settings.js';

type Random = recs.Random;

/**
 * Time-based split, per user (listens are chronological within a user):
 *
 *   [ history ........................ | ranker labels | test ]
 *     userStart                labelStart        testStart   userEnd
 *
 * - test: the last `holdoutListens` of users with enough listens; only the
 *   offline report looks at them.
 * - ranker labels: for the sampled ranker users, the `labelWindow` listens
 *   before the test; the ranker learns to predict them from the history.
 * - the embeddings and the popularity counts see everything before
 *   `labelStart` (or `testStart`), so no label leaks into a feature.
 */
export interface RecsSplit {
  /** Per user: first test row (= the user's end when nothing is held out). */
  testStart: Int32Array;
  /** Per user: first ranker-label row, or -1 for users outside the ranker sample. */
  labelStart: Int32Array;
  rankerUsers: Int32Array;
  /** A subset of the ranker users: the tower and the index are tuned on their label windows. */
  tuningUsers: Int32Array;
  /** Users with held-out listens the offline report evaluates. */
  evalUsers: Int32Array;
}

/** What a query replays: the user's listens before `historyEnd` predict rows `historyEnd .. targetEnd - 1`. */
export interface ReplayQuery {
  user: number;
  historyEnd: number;
  targetEnd: number;
}

const MIN_HISTORY = 5;

export function splitListens(
  listens: recs.ListenTable,
  settings: ServingSettings,
  random: Random,
): RecsSplit {
  const users = listens.userStart.length - 1;
  const testStart = new Int32Array(users);
  const labelStart = new Int32Array(users).fill(-1);
  const rankerCandidates: number[] = [];
  const evalCandidates: number[] = [];
  for (let u = 0; u < users; u++) {
    const start = listens.userStart[u]!;
    const end = listens.userStart[u + 1]!;
    const held = end - start >= settings.minListensForHoldout ? settings.holdoutListens : 0;
    testStart[u] = end - held;
    if (held > 0) evalCandidates.push(u);
    if (testStart[u]! - start >= MIN_HISTORY + settings.labelWindow) rankerCandidates.push(u);
  }
  const rankerUsers = sample(random, rankerCandidates, settings.rankerUsers);
  for (const u of rankerUsers) labelStart[u] = testStart[u]! - settings.labelWindow;
  return {
    testStart,
    labelStart,
    rankerUsers,
    tuningUsers: sample(random, Array.from(rankerUsers), settings.tuningUsers),
    evalUsers: sample(random, evalCandidates, settings.evalUsers),
  };
}

/** End (exclusive) of the rows the embeddings and popularity counts may learn from. */
export function countedEnd(split: RecsSplit, user: number): number {
  const label = split.labelStart[user]!;
  return label >= 0 ? label : split.testStart[user]!;
}

export const rankerQuery = (split: RecsSplit, user: number): ReplayQuery => ({
  user,
  historyEnd: split.labelStart[user]!,
  targetEnd: split.testStart[user]!,
});

export const evalQuery = (split: RecsSplit, listens: recs.ListenTable, user: number): ReplayQuery => ({
  user,
  historyEnd: split.testStart[user]!,
  targetEnd: listens.userStart[user + 1]!,
});

/** Up to `n` distinct items, in ascending order so downstream files do not depend on the draw order. */
function sample(random: Random, items: number[], n: number): Int32Array {
  const pool = Int32Array.from(items);
  if (n < pool.length) {
    random.shuffle(pool);
    return pool.subarray(0, n).sort();
  }
  return pool;
}
