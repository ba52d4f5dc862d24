// One build thread: inserts its shards' songs into fresh hnswlib-node graphs,
// one shard after another, and writes each file. hnswlib-node inserts on one
// thread per index, so the parallelism of a sharded build is one thread per
// shard being built, each over its own graph.
import { renameSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import hnswlib from 'hnswlib-node';
import type { BuildWorkerData, BuildWorkerMessage } from './shard-build.js';
import { shardFile } from './shard-files.js';
import { ANN_SPACE } from './song-index.js';

const PROGRESS_EVERY = 5_000;
const input = workerData as BuildWorkerData;
const vectors = new Float32Array(input.vectors);
const songs = vectors.length / input.dim;
const post = (message: BuildWorkerMessage) => parentPort!.postMessage(message);

for (const shard of input.assigned) {
  const count = Math.ceil((songs - shard) / input.shards);
  const index = new hnswlib.HierarchicalNSW(ANN_SPACE, input.dim);
  index.initIndex(count, input.m, input.efConstruction, input.seed + shard);
  let added = 0;
  for (let song = shard; song < songs; song += input.shards) {
    index.addPoint(Array.from(vectors.subarray(song * input.dim, (song + 1) * input.dim)), song);
    added++;
    if (added % PROGRESS_EVERY === 0) post({ type: 'progress', shard, added: PROGRESS_EVERY });
  }
  post({ type: 'progress', shard, added: added % PROGRESS_EVERY });
  const file = shardFile(input.dir, shard, input.shards);
  index.writeIndexSync(`${file}.tmp`);
  renameSync(`${file}.tmp`, file);
  post({ type: 'done', shard, count });
}
