import type { EntityRef, FraudFeatureEngine } from '@mlsys/fraud-core';
import { CheckpointTracker } from './checkpoints.js';
import { enrich } from './enrich.js';
import type { CommittedBatch, FeatureStateStore, SerialisedEntity } from './ports.js';

export interface CheckpointReplicaEvents {
  checkpointed?(entities: number, ms: number): void;
  checkpointFailed?(error: Error): void;
}

const refKey = (ref: EntityRef) => `${ref.kind}:${ref.id}`;

/**
 * A second feature engine, fed the batches the stream committed, that
 * writes the checkpoints (Kafka Streams keeps standby replicas of a task's
 * state the same way). Serialising tens of thousands of hot entities takes
 * seconds of CPU; here it runs beside the stream (in a worker thread)
 * instead of stalling it, and a checkpoint is an exact cut, every entity as
 * of the same offsets, which fraud-core's card-level idempotency needs for
 * a restore plus replay to count each payment once.
 */
export class CheckpointReplica {
  private engine: FraudFeatureEngine;
  private tracker: CheckpointTracker;
  /** Entities of a checkpoint that failed to be written: written by the next one. */
  private unsaved = new Map<string, EntityRef>();
  /**
   * Whether the last completed checkpoint has been loaded. Until then the
   * replica holds nothing, and a checkpoint from it (a stop before the first
   * assignment) would write an empty cut over the stored one.
   */
  private restored = false;

  constructor(
    private readonly store: FeatureStateStore,
    private readonly newEngine: () => FraudFeatureEngine,
    private readonly intervalMs: number,
    private readonly events: CheckpointReplicaEvents = {},
    private readonly clock: () => number = Date.now,
  ) {
    this.engine = newEngine();
    this.tracker = new CheckpointTracker(intervalMs, clock());
  }

  /** Loads the last completed checkpoint, as the live engine does on the same assignment. */
  async restore(): Promise<void> {
    const stored = await this.store.load();
    const engine = this.newEngine();
    for (const [ref, snapshot] of stored.entities) engine.restore(ref, snapshot);
    this.engine = engine;
    this.tracker = new CheckpointTracker(this.intervalMs, this.clock());
    this.unsaved = new Map();
    this.restored = true;
  }

  /** Applies a committed batch (its output already exists), then writes a checkpoint if one is due. */
  async apply(batch: CommittedBatch): Promise<void> {
    enrich(
      this.engine,
      batch.events.map((event) => ({ event, replay: true })),
      0,
    );
    for (const [key, offset] of batch.offsets) this.tracker.recordAppliedKey(key, offset);
    if (this.tracker.isDue(this.clock())) await this.checkpoint();
  }

  /** Writes every entity changed since the last successful checkpoint, with the offsets applied. */
  async checkpoint(): Promise<void> {
    if (!this.restored) return;
    const started = performance.now();
    const offsets = this.tracker.cut(this.clock());
    for (const ref of this.engine.takeChanged()) this.unsaved.set(refKey(ref), ref);
    const entities: SerialisedEntity[] = [];
    for (const ref of this.unsaved.values()) {
      const snapshot = this.engine.snapshot(ref);
      if (snapshot) entities.push([ref, JSON.stringify(snapshot)]);
    }
    try {
      await this.store.save(entities, offsets);
    } catch (error) {
      this.events.checkpointFailed?.(error as Error);
      return;
    }
    this.unsaved = new Map();
    this.events.checkpointed?.(entities.length, performance.now() - started);
  }
}
