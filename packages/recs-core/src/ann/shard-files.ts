/**
 * A sharded index on disk: one hnswlib file per shard and `shards.json`,
 * which ties the set to the artifact set it was dealt from. A set of another
 * artifact version, shard count, dimension or size is stale, not usable.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SHARDS_MANIFEST = 'shards.json';

export interface ShardSetManifest {
  format: 1;
  /** The artifact set whose index vectors the shards hold. */
  artifactVersion: string;
  shards: number;
  /** How songs are dealt (see `shardOf`). */
  partition: 'id % shards';
  dim: number;
  songs: number;
  /** Songs per shard, in shard order. */
  counts: number[];
  m: number;
  efConstruction: number;
  /** Wall time of the whole build, all shards (in parallel when threads > 1). */
  buildSeconds: number;
  threads: number;
  library: string;
}

/** What a reader needs the set to be. */
export type ShardSetWanted = Pick<ShardSetManifest, 'artifactVersion' | 'shards' | 'dim' | 'songs'> &
  Partial<Pick<ShardSetManifest, 'm' | 'efConstruction'>>;

export const shardFile = (dir: string, shard: number, shards: number) =>
  join(dir, `shard-${shard}-of-${shards}.bin`);

/** Where a set of `shards` shards lives next to (inside) an artifact set. */
export const shardSetDir = (artifactsDir: string, shards: number) => join(artifactsDir, `shards-${shards}`);

export function readShardManifest(dir: string): ShardSetManifest | undefined {
  const path = join(dir, SHARDS_MANIFEST);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as ShardSetManifest;
}

export function writeShardManifest(dir: string, manifest: ShardSetManifest): void {
  const path = join(dir, SHARDS_MANIFEST);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** Why the set in `dir` cannot serve `wanted`, or undefined when it can. */
export function shardSetProblem(dir: string, wanted: ShardSetWanted): string | undefined {
  const found = readShardManifest(dir);
  if (!found) return `no ${SHARDS_MANIFEST} in ${dir}`;
  for (const key of Object.keys(wanted) as (keyof ShardSetWanted)[]) {
    if (wanted[key] !== undefined && found[key] !== wanted[key])
      return `${join(dir, SHARDS_MANIFEST)} has ${key} ${String(found[key])}, need ${String(wanted[key])}`;
  }
  for (let s = 0; s < found.shards; s++) {
    const file = shardFile(dir, s, found.shards);
    if (!existsSync(file)) return `${file} is missing`;
  }
  return undefined;
}
