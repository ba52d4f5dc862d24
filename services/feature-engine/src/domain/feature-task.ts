import type { EntityRef, EntitySnapshot, FraudFeatureEngine } from '@mlsys/fraud-core';
import type {
  AssignedPartition,
  Rewind,
  StreamOutput,
  StreamRecord,
  StreamTask,
} from '../kafka-stream/task.js';
import { CheckpointTracker, rewindsFor } from './checkpoints.js';
import { type EnrichmentTally, enrich } from './enrich.js';
import type { EngineEvent } from './events.js';
import type { FeatureStateStore } from './ports.js';

/** What the task reports, for metrics and logs. */
export interface FeatureTaskObserver {
  restored?(entities: number, rewinds: readonly Rewind[]): void;
  applied?(tally: EnrichmentTally, enrichedAt: number, eventTimes: readonly number[]): void;
  checkpointed?(entities: number, ms: number): void;
  checkpointFailed?(error: Error): void;
}

export interface FeatureTaskOptions {
  store: FeatureStateStore;
  /** A fresh, empty engine (with its terminal directory). */
  newEngine: () => FraudFeatureEngine;
  enrichedTopic: string;
  checkpointIntervalMs: number;
  clock?: () => number;
  observer?: FeatureTaskObserver;
}

const refKey = (ref: EntityRef) => `${ref.kind}:${ref.id}`;

/**
 * The feature engine as a stream task. The hot state (one fraud-core engine)
 * lives in memory; Redis holds its checkpoint. On every assignment the
 * engine is rebuilt from the checkpoint and the partitions rewound to it, so
 * what was processed after the checkpoint is replayed silently: counted
 * once, emitted once.
 */
export class FeatureTask implements StreamTask<EngineEvent> {
  private engine: FraudFeatureEngine;
  private checkpoints: CheckpointTracker;
  /** Entities changed since the last successful checkpoint (kept across a failed one). */
  private unsaved = new Map<string, EntityRef>();
  private readonly clock: () => number;

  constructor(private readonly options: FeatureTaskOptions) {
    this.clock = options.clock ?? Date.now;
    this.engine = options.newEngine();
    this.checkpoints = new CheckpointTracker(options.checkpointIntervalMs, this.clock());
  }

  /** Entities held in memory, by kind. */
  size(): ReturnType<FraudFeatureEngine['size']> {
    return this.engine.size();
  }

  async restore(assignment: readonly AssignedPartition[]): Promise<readonly Rewind[]> {
    const stored = await this.options.store.load();
    const engine = this.options.newEngine();
    for (const [ref, snapshot] of stored.entities) engine.restore(ref, snapshot);
    this.engine = engine;
    this.checkpoints = new CheckpointTracker(this.options.checkpointIntervalMs, this.clock());
    this.unsaved = new Map();
    const rewinds = rewindsFor(assignment, stored.offsets);
    this.options.observer?.restored?.(stored.entities.length, rewinds);
    return rewinds;
  }

  process(records: readonly StreamRecord<EngineEvent>[]): StreamOutput<EngineEvent> {
    const enrichedAt = this.clock();
    const { enriched, tally } = enrich(
      this.engine,
      records.map((record) => ({ event: record.value, replay: record.replay })),
      enrichedAt,
    );
    for (const record of records)
      this.checkpoints.recordApplied(record.topic, record.partition, record.offset);
    this.options.observer?.applied?.(
      tally,
      enrichedAt,
      enriched.map((e) => e.transaction.eventTime),
    );
    return {
      messages: [
        {
          topic: this.options.enrichedTopic,
          messages: enriched.map((e) => ({
            key: e.transaction.cardId,
            value: e,
            timestamp: e.transaction.eventTime,
          })),
        },
      ],
    };
  }

  async afterCommit(): Promise<void> {
    if (this.checkpoints.isDue(this.clock())) await this.checkpoint();
  }

  async close(): Promise<void> {
    await this.checkpoint();
  }

  /**
   * Writes the changed entities with the offsets they cover. A failure is
   * not fatal: the entities stay pending and the next checkpoint retries;
   * meanwhile a restart would just replay further back.
   */
  private async checkpoint(): Promise<void> {
    const started = performance.now();
    for (const ref of this.engine.takeChanged()) this.unsaved.set(refKey(ref), ref);
    const entities: Array<[EntityRef, EntitySnapshot]> = [];
    for (const ref of this.unsaved.values()) {
      const snapshot = this.engine.snapshot(ref);
      if (snapshot) entities.push([ref, snapshot]);
    }
    try {
      await this.options.store.save(entities, this.checkpoints.offsets());
    } catch (error) {
      this.options.observer?.checkpointFailed?.(error as Error);
      return;
    }
    this.unsaved.clear();
    this.checkpoints.checkpointed(this.clock());
    this.options.observer?.checkpointed?.(entities.length, performance.now() - started);
  }
}
