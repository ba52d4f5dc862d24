/** The rows and the goal verdict of `bench ann`'s results file. */
import type { PreparedShardSet } from './shard-sets.js';

const MiB = 2 ** 20;

export const round = (value: number, digits: number) => Number(value.toFixed(digits));

export function measurementRow(m: {
  recall: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  shardP99Ms?: number;
}): { recall: number; p50_ms: number; p99_ms: number; mean_ms: number; shard_p99_ms?: number } {
  return {
    recall: round(m.recall, 4),
    p50_ms: round(m.p50Ms, 3),
    p99_ms: round(m.p99Ms, 3),
    mean_ms: round(m.meanMs, 3),
    ...(m.shardP99Ms === undefined ? {} : { shard_p99_ms: round(m.shardP99Ms, 3) }),
  };
}

export interface ShardSetRow {
  shards: number;
  songs_per_shard: number;
  m: number;
  efConstruction: number;
  /** Wall time of building the whole set (all shards, in parallel up to `threads`). */
  build_seconds: number;
  threads: number;
  builder: string;
  built_this_run: boolean;
  disk_mib: number;
  memory_mib: number | null;
  bytes_per_vector_disk: number;
  bytes_per_vector_memory: number | null;
}

export function shardSetRow(set: PreparedShardSet, memoryBytes: number | undefined): ShardSetRow {
  const { manifest } = set;
  return {
    shards: manifest.shards,
    songs_per_shard: Math.max(...manifest.counts),
    m: manifest.m,
    efConstruction: manifest.efConstruction,
    build_seconds: manifest.buildSeconds,
    threads: manifest.threads,
    builder: manifest.library,
    built_this_run: set.builtNow,
    disk_mib: round(set.diskBytes / MiB, 1),
    memory_mib: memoryBytes === undefined ? null : round(memoryBytes / MiB, 1),
    bytes_per_vector_disk: Math.round(set.diskBytes / manifest.songs),
    bytes_per_vector_memory: memoryBytes === undefined ? null : Math.round(memoryBytes / manifest.songs),
  };
}

export interface GoalRow {
  shards: number;
  hosting: string;
  fetch: string;
  ef: number;
  recall: number;
  p50_ms: number;
  p99_ms: number;
}

/**
 * The goal's verdict: among the setups reaching the recall, the one with
 * the lowest p99, and whether that p99 and its set's build time held.
 */
export function goalVerdict(
  rows: readonly GoalRow[],
  sets: readonly ShardSetRow[],
  goal: { recall: number; p99Ms: number; buildSeconds: number },
) {
  const reaching = rows.filter((row) => row.recall >= goal.recall);
  const best = reaching.sort((a, b) => a.p99_ms - b.p99_ms)[0];
  const buildSeconds = best ? sets.find((set) => set.shards === best.shards)?.build_seconds : undefined;
  const met =
    best !== undefined &&
    best.p99_ms <= goal.p99Ms &&
    buildSeconds !== undefined &&
    buildSeconds <= goal.buildSeconds;
  return {
    met,
    setups_reaching_recall: reaching.length,
    best: best ? { ...best, build_seconds: buildSeconds ?? null } : null,
  };
}
