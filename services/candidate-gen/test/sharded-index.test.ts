import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeInt32 } from '@mlsys/contracts';
import { candidateQuery, exactTopK, normalizeInPlace, row } from '@mlsys/recs-core';
import { buildShards, ShardedSongIndex, SongIndex } from '@mlsys/recs-core/ann';
import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { testArtifactsDir } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShardedCandidateIndex, ShardSetError } from '../src/adapters/sharded-hnsw-index.js';
import { buildApp } from '../src/app.js';

const artifacts = loadRecsArtifacts(testArtifactsDir('recs'));
const { dim, hnsw, userTower, artifactVersion } = artifacts.manifest;
const vectors = SongIndex.load(artifacts.path('hnsw'), hnsw.dim, hnsw.efSearch).vectors();
const userEmbeddings = artifacts.readUserEmbeddings();
const query = (user: number) =>
  Array.from(
    candidateQuery(normalizeInPlace(row(userEmbeddings, dim, user).slice()), userTower!.popularityWeight),
  );
const K = 100;
// A beam as wide as a shard (1,000 songs): the graph search then visits every song it can reach.
const HIGH_EF = 1000;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'candidate-gen-shards-'));
  await buildShards({ vectors, dim: hnsw.dim, shards: 2, m: 16, efConstruction: 200, dir, artifactVersion });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a 2-shard index over the tiny catalogue', () => {
  it('when searched at a high ef, then it returns the same top k as exact search over the whole catalogue', async () => {
    const index = await ShardedSongIndex.open(dir, { hosting: 'in-process', efSearch: HIGH_EF });
    try {
      for (const user of [0, 1, 2, 3, 4]) {
        const exact = exactTopK(vectors, hnsw.dim, query(user), K);

        const found = await index.search(query(user), K);

        expect(Array.from(found.ids)).toEqual(Array.from(exact.ids));
        for (const [i, score] of found.scores.entries()) expect(score).toBeCloseTo(exact.scores[i]!, 5);
        expect(found.shardMs).toHaveLength(2);
      }
    } finally {
      await index.close();
    }
  });

  it('when songs are excluded, then no shard returns them and exact search without them agrees', async () => {
    const index = await ShardedSongIndex.open(dir, { hosting: 'in-process', efSearch: HIGH_EF });
    try {
      const first = Array.from(exactTopK(vectors, hnsw.dim, query(7), 20).ids);
      const exclude = new Set(first.slice(0, 10));

      const found = await index.search(query(7), K, exclude);

      expect(Array.from(found.ids)).toEqual(
        Array.from(exactTopK(vectors, hnsw.dim, query(7), K, exclude).ids),
      );
    } finally {
      await index.close();
    }
  });

  it('when the shards live in worker threads or child processes, then the answers are the in-process ones', async () => {
    const local = await ShardedSongIndex.open(dir, { hosting: 'in-process', efSearch: hnsw.efSearch });
    const threads = await ShardedSongIndex.open(dir, { hosting: 'worker-threads', efSearch: hnsw.efSearch });
    const children = await ShardedSongIndex.open(dir, {
      hosting: 'child-processes',
      efSearch: hnsw.efSearch,
    });
    try {
      for (const user of [10, 11, 12]) {
        const expected = await local.search(query(user), K, new Set([1, 2, 3]));
        for (const remote of [threads, children]) {
          const found = await remote.search(query(user), K, new Set([1, 2, 3]));
          expect(Array.from(found.ids)).toEqual(Array.from(expected.ids));
          expect(Array.from(found.scores)).toEqual(Array.from(expected.scores));
        }
      }
    } finally {
      await Promise.all([local.close(), threads.close(), children.close()]);
    }
  });

  it('when a shard thread dies after loading, then the loss is reported and later searches fail naming the shard', async () => {
    const lost: string[] = [];
    const index = await ShardedSongIndex.open(dir, {
      hosting: 'child-processes',
      efSearch: hnsw.efSearch,
      onLost: (why) => lost.push(why),
    });
    try {
      const pids = await childPids();
      process.kill(pids[0]!, 'SIGKILL');
      await expect.poll(() => lost.length).toBe(1);

      await expect(index.search(query(0), K)).rejects.toThrow(/shard-0-of-2\.bin exited with SIGKILL/);
    } finally {
      await index.close();
    }
  });
});

describe('candidate-gen on shards', () => {
  it('when the shard set is missing, then loading fails naming the problem and the command that builds it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'candidate-gen-no-shards-'));
    await expect(
      ShardedCandidateIndex.load(artifacts, { shards: 2, dir: empty, hosting: 'in-process' }),
    ).rejects.toThrow(ShardSetError);
    await expect(
      ShardedCandidateIndex.load(artifacts, { shards: 2, dir: empty, hosting: 'in-process' }),
    ).rejects.toThrow(/no shards\.json in .*build-shards --artifacts .* --shards 2/);
    rmSync(empty, { recursive: true });
  });

  it('when the set has another shard count than asked, then loading fails saying both', async () => {
    await expect(
      ShardedCandidateIndex.load(artifacts, { shards: 4, dir, hosting: 'in-process' }),
    ).rejects.toThrow(/has shards 2, need 4/);
  });

  it('when served from worker threads, then answers carry k songs, /readyz names the shards and each shard’s time is in the metrics', async () => {
    const index = await ShardedCandidateIndex.load(artifacts, { shards: 2, dir, hosting: 'worker-threads' });
    const metrics = createMetrics('candidate-gen', { defaultMetrics: false });
    const app = buildApp({
      index,
      indexVersion: artifactVersion,
      indexParams: index.params(hnsw.candidates),
      logger: createLogger({ service: 'candidate-gen', level: 'silent' }),
      metrics,
      version: 'test',
    });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/candidates',
        payload: { vector: query(3), k: K },
      });
      expect(res.statusCode).toBe(200);
      const ids = Array.from(decodeInt32(res.json().candidates.ids));
      expect(new Set(ids).size).toBe(K);

      const ready = (await app.inject({ method: 'GET', url: '/readyz' })).json();
      expect(ready.artifacts).toMatchObject({
        index: artifactVersion,
        shards: '2',
        shardHosting: 'worker-threads',
      });
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(text).toMatch(/candidate_gen_shard_search_seconds_count\{[^}]*shard="0"[^}]*\} 1/);
      expect(text).toMatch(/candidate_gen_shard_search_seconds_count\{[^}]*shard="1"[^}]*\} 1/);
    } finally {
      await app.close();
      await index.close();
    }
  });
});

/** The pids of this process's children running a shard host. */
async function childPids(): Promise<number[]> {
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes('shard-host-worker'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}
