/**
 * Builds a sharded index: the songs dealt round-robin into S hnswlib-node
 * graphs, built by up to `threads` worker threads at once over one shared
 * copy of the vectors, written next to a `shards.json` that names the
 * artifact set they came from.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { type ShardSetManifest, writeShardManifest } from './shard-files.js';
import { startWorker } from './worker-entry.js';

export interface ShardBuildInput {
  /** Every song's index vector, row = song id (e.g. `SongIndex.vectors()`). */
  vectors: Float32Array;
  dim: number;
  shards: number;
  m: number;
  efConstruction: number;
  dir: string;
  artifactVersion: string;
  /** Graphs built at once; default: one per core, never more than shards. */
  threads?: number;
  /** hnswlib's level generator seed of shard 0 (shard s uses seed + s). */
  seed?: number;
  /** Called as songs are inserted, at most every few thousand. */
  onProgress?: (inserted: number, songs: number) => void;
}

/** @internal what a build thread receives. */
export interface BuildWorkerData {
  vectors: SharedArrayBuffer;
  dim: number;
  shards: number;
  assigned: number[];
  m: number;
  efConstruction: number;
  dir: string;
  seed: number;
}

/** @internal what a build thread reports. */
export type BuildWorkerMessage =
  | { type: 'progress'; shard: number; added: number }
  | { type: 'done'; shard: number; count: number };

export async function buildShards(input: ShardBuildInput): Promise<ShardSetManifest> {
  const { dim, shards } = input;
  const songs = input.vectors.length / dim;
  if (!Number.isInteger(songs)) throw new Error(`${input.vectors.length} floats are not rows of ${dim}`);
  if (shards < 1 || shards > songs) throw new Error(`cannot deal ${songs} songs into ${shards} shards`);
  const threads = Math.max(1, Math.min(shards, input.threads ?? availableParallelism()));
  mkdirSync(input.dir, { recursive: true });
  // One copy the threads share, instead of one structured clone per thread.
  const shared = new SharedArrayBuffer(input.vectors.byteLength);
  new Float32Array(shared).set(input.vectors);

  const counts = new Array<number>(shards).fill(0);
  let inserted = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: threads }, (_, thread) => {
      const data: BuildWorkerData = {
        vectors: shared,
        dim,
        shards,
        assigned: Array.from({ length: shards }, (_, s) => s).filter((s) => s % threads === thread),
        m: input.m,
        efConstruction: input.efConstruction,
        dir: input.dir,
        seed: input.seed ?? 100,
      };
      return new Promise<void>((resolve, reject) => {
        const worker = startWorker('shard-build-worker', data);
        worker.on('message', (message: BuildWorkerMessage) => {
          if (message.type === 'done') counts[message.shard] = message.count;
          else {
            inserted += message.added;
            input.onProgress?.(inserted, songs);
          }
        });
        worker.once('error', reject);
        worker.once('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`shard build thread ${thread} exited with ${code}`)),
        );
      });
    }),
  );
  const manifest: ShardSetManifest = {
    format: 1,
    artifactVersion: input.artifactVersion,
    shards,
    partition: 'id % shards',
    dim,
    songs,
    counts,
    m: input.m,
    efConstruction: input.efConstruction,
    buildSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    threads,
    library: 'hnswlib-node 3.0.0',
  };
  writeShardManifest(input.dir, manifest);
  return manifest;
}
