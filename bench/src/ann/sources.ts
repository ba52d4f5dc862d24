/**
 * What the ANN benchmark searches, for any data profile: the offline-built
 * index of the artifact set, the vectors it holds (the exact search's
 * matrix and the shards' input) and the queries.
 *
 * `large` (an ann-benchmark set) indexes the generator's true song vectors
 * and ships its users' true taste vectors as queries. A serving set
 * (`default`, `tiny`) indexes the candidate space (taste + popularity), so
 * its vectors are read back from the index and its queries are the first
 * users' long-term taste as the user tower turns it into a query.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { candidateQuery, normalizeInPlace } from '@mlsys/recs-core';
import { SongIndex } from '@mlsys/recs-core/ann';
import {
  loadAnnBenchmarkArtifacts,
  loadRecsArtifacts,
  MANIFEST_FILE,
  type RecsArtifacts,
  type RecsManifest,
} from '@mlsys/recs-core/artifacts';

export interface AnnSources {
  artifacts: RecsArtifacts;
  manifest: RecsManifest;
  dir: string;
  dim: number;
  /** The offline-built index, at the manifest's ef. */
  index: SongIndex;
  loadSeconds: number;
  /** Resident bytes the index added when loaded. */
  indexBytes: number;
  /** The index's vectors, row = song id. */
  vectors: Float32Array;
  /** Row-major queries. */
  queries: Float32Array;
}

export function openAnnSources(dir: string, queryCount: number): AnnSources {
  const probe = loadRecsArtifactsOfAnyKind(dir);
  const { manifest } = probe;
  const dim = manifest.hnsw.dim;
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const index = SongIndex.load(probe.path('hnsw'), dim, manifest.hnsw.efSearch);
  const loadSeconds = (performance.now() - started) / 1000;
  const indexBytes = process.memoryUsage().rss - rssBefore;
  const benchmarkSet = manifest.kind === 'ann-benchmark';
  const vectors = benchmarkSet ? probe.readSongEmbeddings() : index.vectors();
  const queries = benchmarkSet
    ? probe.readAnnQueries().subarray(0, queryCount * dim)
    : towerQueries(probe, queryCount);
  return { artifacts: probe, manifest, dir, dim, index, loadSeconds, indexBytes, vectors, queries };
}

function loadRecsArtifactsOfAnyKind(dir: string): RecsArtifacts {
  const { kind } = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as { kind?: string };
  return kind === 'ann-benchmark' ? loadAnnBenchmarkArtifacts(dir) : loadRecsArtifacts(dir);
}

/** The first users' long-term taste as queries (what candidate-gen's warm-up sends). */
function towerQueries(artifacts: RecsArtifacts, count: number): Float32Array {
  const { dim, counts, userTower, hnsw } = artifacts.manifest;
  const users = artifacts.readUserEmbeddings();
  const n = Math.min(count, counts.users);
  const out = new Float32Array(n * hnsw.dim);
  for (let u = 0; u < n; u++) {
    const taste = normalizeInPlace(users.slice(u * dim, (u + 1) * dim));
    out.set(candidateQuery(taste, userTower?.popularityWeight ?? 0), u * hnsw.dim);
  }
  return out;
}
