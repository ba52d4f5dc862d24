import { norm } from './vector.js';

/**
 * The geometry candidate generation searches. ALS embeddings score by inner
 * product, but their norms grow with popularity over two orders of
 * magnitude, and HNSW on such vectors misses most of the true top 1000
 * (measured: recall@1000 0.57 at M=16, ef=2000 on the default profile). So
 * the index holds, per song, its unit embedding plus one extra coordinate,
 * its popularity in [0, 1]; the tower's query is the unit taste direction
 * plus a popularity weight w (see userVector). Then
 *
 *   query . song = cos(taste, song) + w * popularity
 *
 * which HNSW searches almost exactly (all vectors have norms in [1, sqrt 2])
 * and which, with w tuned offline, finds more of the songs users go on to
 * play than the raw inner product does.
 */

/** Songs' popularity is log1p(listens) / scale; the scale is log1p(the most listened song's listens). */
export function popularityScale(maxListenCount: number): number {
  return Math.log1p(Math.max(1, maxListenCount));
}

/** The vector the index stores for a song: `embedding.length + 1` floats. */
export function songIndexVector(
  embedding: ArrayLike<number>,
  listenCount: number,
  scale: number,
  out = new Float32Array(embedding.length + 1),
): Float32Array {
  const length = norm(embedding);
  // A song nobody played has no embedding direction; it stays reachable only through popularity (zero too).
  for (let i = 0; i < embedding.length; i++) out[i] = length > 0 ? embedding[i]! / length : 0;
  out[embedding.length] = Math.min(1, Math.log1p(listenCount) / scale);
  return out;
}

/** The query for a unit taste direction: `taste.length + 1` floats. */
export function candidateQuery(taste: ArrayLike<number>, popularityWeight: number): Float32Array {
  const query = new Float32Array(taste.length + 1);
  query.set(taste);
  query[taste.length] = popularityWeight;
  return query;
}
