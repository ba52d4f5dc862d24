import type { FraudFeatureEngine } from '@mlsys/fraud-core';
import type { AssignedPartition, Rewind, StreamOutput, StreamRecord, StreamTask } from '@mlsys/kafka/stream';
import { offsetKey, rewindsFor } from './checkpoints.js';
import { type EnrichmentTally, enrich } from './enrich.js';
import type { EngineEvent } from './events.js';
import type { Checkpointer, CommittedBatch, FeatureStateStore } from './ports.js';

/** What the task reports, for metrics and logs. */
export interface FeatureTaskObserver {
  restored?(entities: number, rewinds: readonly Rewind[]): void;
  applied?(tally: EnrichmentTally, enrichedAt: number, eventTimes: readonly number[]): void;
}

export interface FeatureTaskOptions {
  /** Where the last completed checkpoint is read from on every assignment. */
  store: Pick<FeatureStateStore, 'load'>;
  /** Keeps that checkpoint up to date from the committed batches. */
  checkpointer: Checkpointer;
  /** A fresh, empty engine (with its terminal directory). */
  newEngine: () => FraudFeatureEngine;
  enrichedTopic: string;
  clock?: () => number;
  observer?: FeatureTaskObserver;
}

/**
 * The feature engine as a stream task. The hot state (one fraud-core engine)
 * lives in memory and is all a batch touches; the checkpointer persists it
 * beside the stream. On every assignment the engine is rebuilt from the
 * last completed checkpoint and the partitions rewound to it, so what came
 * after is replayed silently: counted once, emitted once.
 */
export class FeatureTask implements StreamTask<EngineEvent> {
  private engine: FraudFeatureEngine;
  /** The batch in hand: handed to the checkpointer once its transaction has committed. */
  private uncommitted: CommittedBatch | undefined;
  private readonly clock: () => number;

  constructor(private readonly options: FeatureTaskOptions) {
    this.clock = options.clock ?? Date.now;
    this.engine = options.newEngine();
  }

  /** Entities held in memory, by kind. */
  size(): ReturnType<FraudFeatureEngine['size']> {
    return this.engine.size();
  }

  async restore(assignment: readonly AssignedPartition[]): Promise<readonly Rewind[]> {
    this.uncommitted = undefined;
    // The replica goes back to the same checkpoint (and finishes any write first, so both read the same).
    await this.options.checkpointer.restore();
    const stored = await this.options.store.load();
    const engine = this.options.newEngine();
    for (const [ref, snapshot] of stored.entities) engine.restore(ref, snapshot);
    this.engine = engine;
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
    this.uncommitted = { events: records.map((r) => r.value), offsets: lastOffsets(records) };
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
    if (this.uncommitted) this.options.checkpointer.committed(this.uncommitted);
    this.uncommitted = undefined;
  }

  async close(): Promise<void> {
    await this.options.checkpointer.close();
  }
}

function lastOffsets(records: readonly StreamRecord<EngineEvent>[]): Array<[string, bigint]> {
  const last = new Map<string, bigint>();
  for (const record of records) {
    const key = offsetKey(record.topic, record.partition);
    if (record.offset > (last.get(key) ?? -1n)) last.set(key, record.offset);
  }
  return [...last];
}
