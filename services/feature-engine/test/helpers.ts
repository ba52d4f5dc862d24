import type { Chargeback, Decision, EnrichedTransaction, Transaction } from '@mlsys/contracts';
import {
  type EntityRef,
  type EntitySnapshot,
  FraudFeatureEngine,
  type TerminalDirectory,
} from '@mlsys/fraud-core';
import type { StreamRecord } from '@mlsys/kafka/stream';
import { CheckpointReplica } from '../src/domain/checkpoint-replica.js';
import type { AppliedOffsets } from '../src/domain/checkpoints.js';
import type { EngineEvent } from '../src/domain/events.js';
import { FeatureTask } from '../src/domain/feature-task.js';
import { InlineCheckpointer } from '../src/domain/inline-checkpointer.js';
import type { FeatureStateStore, SerialisedEntity, StoredState } from '../src/domain/ports.js';

export const T0 = Date.UTC(2018, 3, 2, 12);
export const terminals: TerminalDirectory = new Map([
  ['term-1', { x: 10, y: 10 }],
  ['term-2', { x: 13, y: 14 }],
]);
export const newEngine = () => new FraudFeatureEngine({ terminals });

let sequence = 0;
export function payment(overrides: Partial<Transaction> = {}): Transaction {
  sequence += 1;
  return {
    transactionId: `tx-${sequence}`,
    eventTime: T0 + sequence * 60_000,
    cardId: 'card-1',
    terminalId: 'term-1',
    amount: 20,
    currency: 'EUR',
    channel: 'pos',
    merchantCategory: '5411',
    ...overrides,
  };
}

export const chargebackOf = (txn: Transaction, reportedAt: number): Chargeback => ({
  transactionId: txn.transactionId,
  cardId: txn.cardId,
  eventTime: txn.eventTime,
  reportedAt,
});

/** Stream records of one partition of topic `tx`, offsets from `firstOffset`. */
export function records(events: readonly EngineEvent[], firstOffset = 0n, replayUntil = 0n) {
  return events.map(
    (value, i): StreamRecord<EngineEvent> => ({
      topic: 'tx',
      partition: 0,
      offset: firstOffset + BigInt(i),
      key: null,
      value,
      timestamp: 0,
      replay: firstOffset + BigInt(i) < replayUntil,
    }),
  );
}

export const asEvent = (transaction: Transaction): EngineEvent => ({ kind: 'transaction', transaction });

type BatchOutput = { messages: Array<{ topic: string; messages: Array<{ value: unknown }> }> };

/** The values a batch's output sends to `topic`. */
const sentTo = (output: BatchOutput, topic: string) =>
  output.messages
    .filter((batch) => batch.topic === topic)
    .flatMap((batch) => batch.messages.map((m) => m.value));

/** The records a batch's output sends to `topic` (the tests' enriched topic by default). */
export const enrichedOf = (output: BatchOutput, topic = 'enriched') =>
  sentTo(output, topic) as EnrichedTransaction[];

/** The decisions a batch's output logs to the tests' decisions topic. */
export const loggedDecisionsOf = (output: BatchOutput) => sentTo(output, 'decisions') as Decision[];

/** The Redis store's behaviour in memory: JSON copies, entities and offsets replaced together. */
export class MemoryStateStore implements FeatureStateStore {
  readonly entities = new Map<string, [EntityRef, string]>();
  offsets = new Map<string, bigint>();
  failNextSave = false;

  async load(): Promise<StoredState> {
    return {
      entities: [...this.entities.values()].map(([ref, json]) => [ref, JSON.parse(json) as EntitySnapshot]),
      offsets: new Map(this.offsets),
    };
  }

  saves = 0;

  async save(entities: readonly SerialisedEntity[], offsets: AppliedOffsets): Promise<void> {
    if (this.failNextSave) {
      this.failNextSave = false;
      throw new Error('redis is down');
    }
    this.saves += 1;
    for (const [ref, snapshot] of entities) this.entities.set(`${ref.kind}:${ref.id}`, [ref, snapshot]);
    for (const [key, offset] of offsets) this.offsets.set(key, offset);
  }

  async read(ref: EntityRef): Promise<EntitySnapshot | undefined> {
    const stored = this.entities.get(`${ref.kind}:${ref.id}`);
    return stored ? (JSON.parse(stored[1]) as EntitySnapshot) : undefined;
  }
}

/** A feature task whose checkpoints are written by a replica on the same thread, into `store`. */
export function taskWithInlineCheckpoints(store: MemoryStateStore, checkpointIntervalMs = 0) {
  const checkpointer = new InlineCheckpointer(new CheckpointReplica(store, newEngine, checkpointIntervalMs));
  const task = new FeatureTask({ store, checkpointer, newEngine, enrichedTopic: 'enriched', clock: () => 1 });
  return { task, checkpointer };
}
