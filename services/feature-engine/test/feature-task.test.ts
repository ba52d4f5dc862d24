import { featureRecord } from '@mlsys/fraud-core';
import { describe, expect, it } from 'vitest';
import { FeatureTask } from '../src/domain/feature-task.js';
import {
  asEvent,
  chargebackOf,
  enrichedOf,
  MemoryStateStore,
  newEngine,
  payment,
  records,
} from './helpers.js';

const assignment = (committed: bigint | null) => [
  { topic: 'tx', partition: 0, committed, start: 0n, end: 100n },
];

function newTask(store: MemoryStateStore, checkpointIntervalMs = 0) {
  return new FeatureTask({
    store,
    newEngine,
    enrichedTopic: 'enriched',
    checkpointIntervalMs,
    clock: () => 1,
  });
}

describe('FeatureTask', () => {
  it('when restarted from a checkpoint and the records after it replay, then later features equal an uninterrupted run', async () => {
    const stream = [
      ...Array.from({ length: 6 }, (_, i) => payment({ cardId: `card-${i % 2}`, amount: 10 + i })),
    ].map(asEvent);
    const fraud = stream[1]!.kind === 'transaction' ? stream[1]!.transaction : undefined;
    stream.push({ kind: 'chargeback', chargeback: chargebackOf(fraud!, fraud!.eventTime + 1) });
    stream.push(...Array.from({ length: 4 }, (_, i) => asEvent(payment({ cardId: `card-${i % 2}` }))));

    const continuous = newTask(new MemoryStateStore());
    await continuous.restore(assignment(null));
    const expected = enrichedOf(continuous.process(records(stream)));

    // The crashed run: checkpointed after 4 records, committed 7, then died.
    const store = new MemoryStateStore();
    const crashed = newTask(store);
    await crashed.restore(assignment(null));
    crashed.process(records(stream.slice(0, 4)));
    await crashed.afterCommit();
    crashed.process(records(stream.slice(4, 7), 4n));

    const restarted = newTask(store);
    const rewinds = await restarted.restore(assignment(7n));
    expect(rewinds).toEqual([{ topic: 'tx', partition: 0, offset: 4n }]);
    const replayed = enrichedOf(restarted.process(records(stream.slice(4), 4n, 7n)));

    expect(replayed.map((e) => e.transaction.transactionId)).toEqual(
      expected.slice(-4).map((e) => e.transaction.transactionId),
    );
    expect(replayed.map((e) => e.features)).toEqual(expected.slice(-4).map((e) => e.features));
  });

  it('when the same payment is delivered twice, then it is enriched once and no aggregate moves', async () => {
    const task = newTask(new MemoryStateStore());
    await task.restore(assignment(null));
    const txn = payment({ cardId: 'card-dup', amount: 50 });
    const next = payment({ cardId: 'card-dup', amount: 10 });

    const output = enrichedOf(task.process(records([asEvent(txn), asEvent({ ...txn }), asEvent(next)])));

    expect(output.map((e) => e.transaction.transactionId)).toEqual([txn.transactionId, next.transactionId]);
    const features = featureRecord(Float64Array.from(output[1]!.features));
    expect(features.card_nb_tx_1d).toBe(2);
    expect(features.card_sum_amount_1d).toBe(60);
  });

  it('when a checkpoint fails, then the entities it missed are written by the next one', async () => {
    const store = new MemoryStateStore();
    const task = newTask(store);
    await task.restore(assignment(null));
    task.process(records([asEvent(payment({ cardId: 'card-a', terminalId: 'term-2' }))]));
    store.failNextSave = true;
    await task.afterCommit();
    expect(store.entities.size).toBe(0);

    task.process(records([asEvent(payment({ cardId: 'card-b', terminalId: 'term-2' }))], 1n));
    await task.afterCommit();

    expect([...store.entities.keys()].sort()).toEqual(['card:card-a', 'card:card-b', 'terminal:term-2']);
    expect(store.offsets.get('tx#0')).toBe(1n);
  });
});
