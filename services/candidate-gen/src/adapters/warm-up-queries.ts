import { closeSync, openSync, readSync } from 'node:fs';
import { candidateQuery, normalizeInPlace } from '@mlsys/recs-core';
import type { RecsArtifacts } from '@mlsys/recs-core/artifacts';

/**
 * Real queries for the warm-up: the first `count` users' long-term taste as
 * the user tower turns it into a query (unit taste + popularity weight).
 * Only their rows of the user-embeddings file are read: the whole file of a
 * large profile is hundreds of MB this process has no other use for.
 */
export function warmUpQueries(artifacts: RecsArtifacts, count: number): number[][] {
  const { dim, counts, userTower } = artifacts.manifest;
  const users = Math.min(count, counts.users);
  const bytes = Buffer.alloc(users * dim * 4);
  const file = openSync(artifacts.path('userEmbeddings'), 'r');
  try {
    readSync(file, bytes, 0, bytes.length, 0);
  } finally {
    closeSync(file);
  }
  const floats = new Float32Array(bytes.buffer, bytes.byteOffset, users * dim);
  return Array.from({ length: users }, (_, user) =>
    Array.from(
      candidateQuery(
        normalizeInPlace(floats.slice(user * dim, (user + 1) * dim)),
        userTower?.popularityWeight ?? 0,
      ),
    ),
  );
}
