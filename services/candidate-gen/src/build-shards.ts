// `pnpm --filter @mlsys/candidate-gen build-shards --artifacts DIR --shards S [--threads N]`:
// deals an artifact set's index into S shards for CANDIDATE_SHARDS=S (ARTIFACTS_DIR/shards-S).
// The vectors are read back from the offline index, so the shards hold exactly what it holds;
// each shard is built with the index's own M and efConstruction, one worker thread per shard
// (at most one per core). An offline step like the index itself: the service only loads.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildShards, SongIndex, shardSetDir } from '@mlsys/recs-core/ann';
import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';

// pnpm hands a `--` through to the script as an argument; accept the command written either way.
const args = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));
const { values } = parseArgs({
  args,
  options: {
    artifacts: { type: 'string' },
    shards: { type: 'string' },
    threads: { type: 'string', default: String(availableParallelism()) },
  },
});
const shards = Number(values.shards);
if (!values.artifacts || !Number.isInteger(shards) || shards < 2) {
  console.error('usage: build-shards --artifacts <recs artifact set> --shards <2 or more> [--threads N]');
  process.exit(2);
}
// pnpm runs the script in this package's folder; a relative path means the caller's folder.
const artifacts = loadRecsArtifacts(resolve(process.env.INIT_CWD ?? process.cwd(), values.artifacts));
const { hnsw, artifactVersion } = artifacts.manifest;
const dir = shardSetDir(artifacts.dir, shards);
const vectors = SongIndex.load(artifacts.path('hnsw'), hnsw.dim, hnsw.efSearch).vectors();
const started = performance.now();
let lastPrint = started;
const built = await buildShards({
  vectors,
  dim: hnsw.dim,
  shards,
  m: hnsw.m,
  efConstruction: hnsw.efConstruction,
  dir,
  artifactVersion,
  threads: Number(values.threads),
  onProgress: (inserted, songs) => {
    if (performance.now() - lastPrint < 2_000) return;
    lastPrint = performance.now();
    const seconds = ((lastPrint - started) / 1000).toFixed(1);
    console.log(
      `▸ build-shards: ${Math.round((inserted / songs) * 100)}% (${inserted}/${songs} songs, ${seconds}s)`,
    );
  },
});
console.log(
  `✓ ${shards} shards of ${built.counts.join(' / ')} songs in ${dir} (${built.buildSeconds}s); serve them with CANDIDATE_SHARDS=${shards}`,
);
