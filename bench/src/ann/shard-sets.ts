/**
 * The shard sets the benchmark compares, cached next to the artifact set
 * (`<set>/shards-<S>`) and rebuilt only when stale. S = 1 is the offline
 * index itself (built by Python hnswlib on every core), linked in as a
 * one-shard set so every S goes through the same search and merge code.
 */
import { existsSync, mkdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import {
  buildShards,
  readShardManifest,
  type ShardSetManifest,
  shardFile,
  shardSetDir,
  shardSetProblem,
  writeShardManifest,
} from '@mlsys/recs-core/ann';
import type { AnnSources } from './sources.js';

export interface ShardSetPlan {
  shards: number;
  m: number;
  efConstruction: number;
  threads: number;
  rebuild: boolean;
}

export interface PreparedShardSet {
  dir: string;
  manifest: ShardSetManifest;
  diskBytes: number;
  /** Whether this run built it (else its build time is from the run that did). */
  builtNow: boolean;
}

export async function prepareShardSet(sources: AnnSources, plan: ShardSetPlan): Promise<PreparedShardSet> {
  const { manifest: set, dim } = sources;
  const dir = shardSetDir(sources.dir, plan.shards);
  const wanted = {
    artifactVersion: set.artifactVersion,
    shards: plan.shards,
    dim,
    songs: sources.index.count,
    ...(plan.shards > 1 ? { m: plan.m, efConstruction: plan.efConstruction } : {}),
  };
  const stale = plan.rebuild || shardSetProblem(dir, wanted) !== undefined;
  if (stale) {
    rmSync(dir, { recursive: true, force: true });
    if (plan.shards === 1) linkOfflineIndex(sources, dir);
    else await build(sources, plan, dir);
  } else console.log(`▸ ann: ${plan.shards} shards cached in ${dir}`);
  const manifest = readShardManifest(dir)!;
  let diskBytes = 0;
  for (let s = 0; s < manifest.shards; s++) diskBytes += statSync(shardFile(dir, s, manifest.shards)).size;
  return { dir, manifest, diskBytes, builtNow: stale && plan.shards > 1 };
}

function linkOfflineIndex(sources: AnnSources, dir: string): void {
  const { manifest: set, index } = sources;
  mkdirSync(dir, { recursive: true });
  const target = sources.artifacts.path('hnsw');
  if (!existsSync(shardFile(dir, 0, 1))) symlinkSync(target, shardFile(dir, 0, 1));
  writeShardManifest(dir, {
    format: 1,
    artifactVersion: set.artifactVersion,
    shards: 1,
    partition: 'id % shards',
    dim: sources.dim,
    songs: index.count,
    counts: [index.count],
    m: set.hnsw.m,
    efConstruction: set.hnsw.efConstruction,
    buildSeconds: set.hnsw.buildSeconds,
    threads: 0,
    library: `${set.hnsw.library} (the offline index, built by Python hnswlib on every core)`,
  });
}

async function build(sources: AnnSources, plan: ShardSetPlan, dir: string): Promise<void> {
  const songs = sources.index.count;
  console.log(
    `▸ ann: building ${plan.shards} shards of ~${Math.ceil(songs / plan.shards).toLocaleString('en')} songs (M${plan.m}, efConstruction ${plan.efConstruction}) on ${Math.min(plan.threads, plan.shards)} threads into ${dir}`,
  );
  const started = performance.now();
  let lastPrint = started;
  const built = await buildShards({
    vectors: sources.vectors,
    dim: sources.dim,
    shards: plan.shards,
    m: plan.m,
    efConstruction: plan.efConstruction,
    dir,
    artifactVersion: sources.manifest.artifactVersion,
    threads: plan.threads,
    onProgress: (inserted, total) => {
      const now = performance.now();
      if (now - lastPrint < 5_000) return;
      lastPrint = now;
      const seconds = (now - started) / 1000;
      const share = inserted / total;
      console.log(
        `▸ ann: ${plan.shards} shards ${Math.round(share * 100)}% (${inserted.toLocaleString('en')}/${total.toLocaleString('en')} songs, ${seconds.toFixed(0)}s, about ${Math.max(0, seconds / share - seconds).toFixed(0)}s to go)`,
      );
    },
  });
  console.log(`▸ ann: ${plan.shards} shards built in ${built.buildSeconds}s`);
}
