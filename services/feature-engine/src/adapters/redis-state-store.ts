import type { EntityKind, EntityRef, EntitySnapshot } from '@mlsys/fraud-core';
import { ENTITY_KINDS, HORIZON_MS } from '@mlsys/fraud-core';
import type { RedisClient } from '@mlsys/redis';
import type { AppliedOffsets } from '../domain/checkpoints.js';
import type { FeatureStateStore, StoredState } from '../domain/ports.js';

const SCAN_COUNT = 1000;
/** An entity untouched for longer than the longest window holds nothing a feature can use. */
const ENTITY_TTL_SECONDS = Math.ceil(HORIZON_MS / 1000) + 86_400;

/**
 * Redis layout (`<ns>` is the namespace, `fe` by default):
 *
 * - `<ns>:entity:<kind>:<id>`: one entity's snapshot, JSON (fraud-core's
 *   EntitySnapshot), expiring a day after the 30-day horizon;
 * - `<ns>:checkpoint`: hash `<topic>#<partition>` -> last offset the
 *   snapshots cover, plus `at` (ms) of the last checkpoint.
 *
 * Both are written in one MULTI, so a reader never sees entities from one
 * checkpoint with the offsets of another.
 */
export class RedisFeatureStateStore implements FeatureStateStore {
  private readonly entityPrefix: string;
  private readonly checkpointKey: string;

  constructor(
    private readonly redis: RedisClient,
    namespace: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.entityPrefix = `${namespace}:entity:`;
    this.checkpointKey = `${namespace}:checkpoint`;
  }

  async load(): Promise<StoredState> {
    const entities: StoredState['entities'] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        'MATCH',
        `${this.entityPrefix}*`,
        'COUNT',
        SCAN_COUNT,
      );
      cursor = next;
      if (keys.length === 0) continue;
      const values = await this.redis.mget(...keys);
      keys.forEach((key, i) => {
        const raw = values[i];
        if (raw) entities.push([this.refOf(key), JSON.parse(raw) as EntitySnapshot]);
      });
    } while (cursor !== '0');
    return { entities, offsets: await this.offsets() };
  }

  async save(entities: ReadonlyArray<[EntityRef, EntitySnapshot]>, offsets: AppliedOffsets): Promise<void> {
    const multi = this.redis.multi();
    for (const [ref, snapshot] of entities) {
      multi.set(this.keyOf(ref), JSON.stringify(snapshot), 'EX', ENTITY_TTL_SECONDS);
    }
    const fields: Record<string, string> = { at: String(this.clock()) };
    for (const [key, offset] of offsets) fields[key] = offset.toString();
    multi.hset(this.checkpointKey, fields);
    const results = await multi.exec();
    const failed = results?.find(([error]) => error !== null);
    if (!results || failed) throw failed?.[0] ?? new Error('the checkpoint transaction was discarded');
  }

  async read(ref: EntityRef): Promise<EntitySnapshot | undefined> {
    const raw = await this.redis.get(this.keyOf(ref));
    return raw === null ? undefined : (JSON.parse(raw) as EntitySnapshot);
  }

  private async offsets(): Promise<AppliedOffsets> {
    const fields = await this.redis.hgetall(this.checkpointKey);
    const offsets = new Map<string, bigint>();
    for (const [key, value] of Object.entries(fields)) if (key !== 'at') offsets.set(key, BigInt(value));
    return offsets;
  }

  private keyOf(ref: EntityRef): string {
    return `${this.entityPrefix}${ref.kind}:${ref.id}`;
  }

  /** Ids may contain ':' (IPv6, namespaced ids): only the first separator after the prefix splits. */
  private refOf(key: string): EntityRef {
    const rest = key.slice(this.entityPrefix.length);
    const separator = rest.indexOf(':');
    const kind = rest.slice(0, separator) as EntityKind;
    if (!ENTITY_KINDS.includes(kind)) throw new Error(`${key} is not an entity key of this store`);
    return { kind, id: rest.slice(separator + 1) };
  }
}
