import type { AssignedPartition, Rewind } from '../kafka-stream/task.js';

/** Last offset applied to the state, per `topic#partition`. */
export type AppliedOffsets = ReadonlyMap<string, bigint>;

export const offsetKey = (topic: string, partition: number): string => `${topic}#${partition}`;

/**
 * Which offsets the in-memory state covers, and when to checkpoint it.
 * The state is checkpointed after its Kafka transaction committed, every
 * `intervalMs` (0: after every batch); a restart restores the checkpoint
 * and replays what came after it, so the interval trades Redis writes
 * against replay time, never correctness.
 */
export class CheckpointTracker {
  private readonly applied = new Map<string, bigint>();
  private pending = false;
  private lastCheckpointAt: number;

  constructor(
    private readonly intervalMs: number,
    now: number,
  ) {
    this.lastCheckpointAt = now;
  }

  recordApplied(topic: string, partition: number, offset: bigint): void {
    const key = offsetKey(topic, partition);
    if (offset > (this.applied.get(key) ?? -1n)) this.applied.set(key, offset);
    this.pending = true;
  }

  isDue(now: number): boolean {
    return this.pending && now - this.lastCheckpointAt >= this.intervalMs;
  }

  /** The offsets the checkpoint about to be written covers. */
  offsets(): AppliedOffsets {
    return new Map(this.applied);
  }

  checkpointed(now: number): void {
    this.pending = false;
    this.lastCheckpointAt = now;
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
