import { popularityScale, type SongFeatures, songIndexVector } from '@mlsys/recs-core';

/** The vectors the HNSW index is built from: each song's unit embedding plus its popularity (candidate-space.ts). */
export function buildIndexVectors(
  songEmbeddings: Float32Array,
  dim: number,
  songs: readonly SongFeatures[],
): { vectors: Float32Array; scale: number } {
  const scale = popularityScale(songs.reduce((max, s) => Math.max(max, s.listenCount), 0));
  const vectors = new Float32Array(songs.length * (dim + 1));
  for (const song of songs) {
    songIndexVector(
      songEmbeddings.subarray(song.id * dim, (song.id + 1) * dim),
      song.listenCount,
      scale,
      vectors.subarray(song.id * (dim + 1), (song.id + 1) * (dim + 1)),
    );
  }
  return { vectors, scale };
}
