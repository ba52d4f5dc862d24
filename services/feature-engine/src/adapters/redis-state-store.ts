import type { EntityKind, EntityRef, EntitySnapshot } from '@mlsys/fraud-core';
import { ENTITY_KINDS, HORIZON_MS } from '@mlsys/fraud-core';
import type { RedisClient } from '@mlsys/redis';
import type { AppliedOffsets } from '../domain/checkpoints.js';
import type { FeatureStateStore, SerialisedEntity, StoredState } from '../domain/ports.js';

const SCAN_COUNT = 1000;
/** Entities per pipeline round trip: small enough that no write blocks the event loop for long. */
const CHUNK = 500;
/** An entity untouched for longer than the longest window holds nothing a feature can use. */
const ENTITY_TTL_SECONDS = Math.ceil(HORIZON_MS / 1000) + 86_400;

type Slot = '0' | '1';
const other = (slot: Slot): Slot => (slot === '0' ? '1' : '0');

/**
 * Redis layout (`<ns>` is the namespace, `fe` by default):
 *
 * - `<ns>:checkpoint`: hash with `id` (the last completed checkpoint), `at`
 *   (ms) and `<topic>#<partition>` -> last offset that checkpoint covers;
 * - `<ns>:entity:<kind>:<id>:<slot>` (slot 0 or 1): `{"c": <checkpoint id>,
 *   "s": <fraud-core EntitySnapshot>}`, expiring a day after the 30-day horizon.
 *
 * Each entity has two slots. A checkpoint writes an entity into the slot
 * that does not hold its last completed version, in chunks, and then
 * commits by moving `id` forward together with the offsets (one small
 * MULTI). A reader takes, per entity, the slot with the highest `c` not
 * above `id`: a checkpoint cut short by a crash is simply not seen.
 */
export class RedisFeatureStateStore implements FeatureStateStore {
  private readonly entityPrefix: string;
  private readonly checkpointKey: string;
  /** Where each entity's last completed version is (known after `load` and each `save`). */
  private readonly completedSlot = new Map<string, Slot>();
  /** The id of the last completed checkpoint; undefined until `load` has read it. */
  private lastId: number | undefined;

  constructor(
    private readonly redis: RedisClient,
    namespace: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.entityPrefix = `${namespace}:entity:`;
    this.checkpointKey = `${namespace}:checkpoint`;
  }

  async load(): Promise<StoredState> {
    const { id, offsets } = await this.marker();
    this.lastId = id;
    this.completedSlot.clear();
    const latest = new Map<string, { ref: EntityRef; slot: Slot; c: number; s: EntitySnapshot }>();
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
        if (!raw) return;
        const { ref, slot, entity } = this.parseKey(key);
        const { c, s } = JSON.parse(raw) as { c: number; s: EntitySnapshot };
        const known = latest.get(entity);
        if (c <= id && (!known || c > known.c)) latest.set(entity, { ref, slot, c, s });
      });
    } while (cursor !== '0');
    for (const [entity, { slot }] of latest) this.completedSlot.set(entity, slot);
    return { entities: [...latest.values()].map(({ ref, s }) => [ref, s]), offsets };
  }

  async save(entities: readonly SerialisedEntity[], offsets: AppliedOffsets): Promise<void> {
    // Numbering from an id not read would restart at 1 and hide every entity of a later checkpoint.
    if (this.lastId === undefined)
      throw new Error('a checkpoint cannot be saved before the last one is loaded');
    const id = this.lastId + 1;
    const written: Array<[string, Slot]> = [];
    for (let start = 0; start < entities.length; start += CHUNK) {
      const pipeline = this.redis.pipeline();
      for (const [ref, snapshot] of entities.slice(start, start + CHUNK)) {
        const entity = entityId(ref);
        const slot = other(this.completedSlot.get(entity) ?? '1');
        pipeline.set(
          `${this.entityPrefix}${entity}:${slot}`,
          `{"c":${id},"s":${snapshot}}`,
          'EX',
          ENTITY_TTL_SECONDS,
        );
        written.push([entity, slot]);
      }
      failOnError(await pipeline.exec());
    }
    const fields: Record<string, string> = { id: String(id), at: String(this.clock()) };
    for (const [key, offset] of offsets) fields[key] = offset.toString();
    failOnError(await this.redis.multi().hset(this.checkpointKey, fields).exec());
    this.lastId = id;
    for (const [entity, slot] of written) this.completedSlot.set(entity, slot);
  }

  async read(ref: EntityRef): Promise<EntitySnapshot | undefined> {
    const { id } = await this.marker();
    const entity = entityId(ref);
    const slots = await this.redis.mget(`${this.entityPrefix}${entity}:0`, `${this.entityPrefix}${entity}:1`);
    let best: { c: number; s: EntitySnapshot } | undefined;
    for (const raw of slots) {
      if (!raw) continue;
      const version = JSON.parse(raw) as { c: number; s: EntitySnapshot };
      if (version.c <= id && (!best || version.c > best.c)) best = version;
    }
    return best?.s;
  }

  private async marker(): Promise<{ id: number; offsets: AppliedOffsets }> {
    const fields = await this.redis.hgetall(this.checkpointKey);
    const offsets = new Map<string, bigint>();
    for (const [key, value] of Object.entries(fields)) {
      if (key !== 'id' && key !== 'at') offsets.set(key, BigInt(value));
    }
    return { id: Number(fields.id ?? 0), offsets };
  }

  /** Ids may contain ':' (IPv6, namespaced ids): the kind is the first part, the slot the last. */
  private parseKey(key: string): { ref: EntityRef; slot: Slot; entity: string } {
    const rest = key.slice(this.entityPrefix.length);
    const kindEnd = rest.indexOf(':');
    const slotStart = rest.lastIndexOf(':');
    const kind = rest.slice(0, kindEnd) as EntityKind;
    const slot = rest.slice(slotStart + 1);
    if (!ENTITY_KINDS.includes(kind) || (slot !== '0' && slot !== '1')) {
      throw new Error(`${key} is not an entity key of this store`);
    }
    return { ref: { kind, id: rest.slice(kindEnd + 1, slotStart) }, slot, entity: rest.slice(0, slotStart) };
  }
}

const entityId = (ref: EntityRef) => `${ref.kind}:${ref.id}`;

function failOnError(results: [Error | null, unknown][] | null): void {
  const failed = results?.find(([error]) => error !== null);
  if (!results || failed) throw failed?.[0] ?? new Error('the Redis transaction was discarded');
}
