import type { EntityRef, EntitySnapshot } from '@mlsys/fraud-core';
import type { AppliedOffsets } from './checkpoints.js';

export interface StoredState {
  entities: Array<[EntityRef, EntitySnapshot]>;
  /** The offsets the entities cover. */
  offsets: AppliedOffsets;
}

/**
 * The durable copy of the feature state (Redis): entity snapshots written
 * atomically with the offsets they cover, readable by other services.
 */
export interface FeatureStateStore {
  load(): Promise<StoredState>;
  save(entities: ReadonlyArray<[EntityRef, EntitySnapshot]>, offsets: AppliedOffsets): Promise<void>;
  /** One entity as last checkpointed, for `GET /v1/entities/:kind/:id`. */
  read(ref: EntityRef): Promise<EntitySnapshot | undefined>;
}
