import type { AssignedPartition, Rewind } from '@mlsys/kafka/stream';

/** Last offset applied to the state, per `topic#partition`. */
export type AppliedOffsets = ReadonlyMap<string, bigint>;

export const offsetKey = (topic: string, partition: number): string => `${topic}#${partition}`;

/**
 * Which offsets the in-memory state covers, and when the next checkpoint is
 * due. A restart restores the last checkpoint and replays what came after
 * it, so the interval trades Redis writes (and replay time) against
 * nothing else: never correctness.
 */
export class CheckpointTracker {
  private readonly applied = new Map<string, bigint>();
  private changedSinceCut = false;
  private lastCutAt: number;

  constructor(
    private readonly intervalMs: number,
    now: number,
  ) {
    this.lastCutAt = now;
  }

  recordApplied(topic: string, partition: number, offset: bigint): void {
    this.recordAppliedKey(offsetKey(topic, partition), offset);
  }

  recordAppliedKey(key: string, offset: bigint): void {
    if (offset > (this.applied.get(key) ?? -1n)) this.applied.set(key, offset);
    this.changedSinceCut = true;
  }

  isDue(now: number): boolean {
    return this.changedSinceCut && now - this.lastCutAt >= this.intervalMs;
  }

  /** Starts a checkpoint: the offsets it covers. */
  cut(now: number): AppliedOffsets {
    this.changedSinceCut = false;
    this.lastCutAt = now;
    return new Map(this.applied);
  }
}

/**
 * Where each partition must be re-read from so that the restored
 * checkpoint plus the replay equals the state as of the committed offsets.
 * A partition the group committed but the checkpoint does not cover (its
 * state was lost) is rebuilt from the oldest retained record.
 */
export function rewindsFor(assignment: readonly AssignedPartition[], checkpoint: AppliedOffsets): Rewind[] {
  const rewinds: Rewind[] = [];
  for (const partition of assignment) {
    if (partition.committed === null) continue;
    const applied = checkpoint.get(offsetKey(partition.topic, partition.partition));
    const from = applied === undefined ? partition.start : applied + 1n;
    if (from < partition.committed)
      rewinds.push({ topic: partition.topic, partition: partition.partition, offset: from });
  }
  return rewinds;
}
