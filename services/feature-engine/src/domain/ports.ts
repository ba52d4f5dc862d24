import type { EntityRef, EntitySnapshot } from '@mlsys/fraud-core';
import type { AppliedOffsets } from './checkpoints.js';
import type { EngineEvent } from './events.js';

export interface StoredState {
  entities: Array<[EntityRef, EntitySnapshot]>;
  /** The offsets the entities cover. */
  offsets: AppliedOffsets;
}

/** An entity's snapshot, serialised. */
export type SerialisedEntity = [EntityRef, string];

/**
 * The durable copy of the feature state (Redis): the entities of the last
 * completed checkpoint and the offsets they cover, readable by other
 * services. A checkpoint becomes visible only when complete, so a crash
 * half-way through writing one leaves the previous one intact.
 */
export interface FeatureStateStore {
  load(): Promise<StoredState>;
  save(entities: readonly SerialisedEntity[], offsets: AppliedOffsets): Promise<void>;
  /** One entity as of the last completed checkpoint, for `GET /v1/entities/:kind/:id`. */
  read(ref: EntityRef): Promise<EntitySnapshot | undefined>;
}

/** One batch the stream committed: what the checkpoint replica applies after the live engine. */
export interface CommittedBatch {
  events: EngineEvent[];
  /** `[topic#partition, last offset]` the batch covers. */
  offsets: Array<[string, bigint]>;
}

/**
 * Keeps the durable checkpoint up to date from the committed batches,
 * without ever making the stream wait: the stream hands each batch over
 * and goes on.
 */
export interface Checkpointer {
  /** Resets to the last completed checkpoint (on every assignment): waits for any write in progress. */
  restore(): Promise<void>;
  committed(batch: CommittedBatch): void;
  /** On a graceful stop: applies what was handed over and writes a last checkpoint. */
  close(): Promise<void>;
}
