import type { Transaction } from '@mlsys/contracts';
import { featureRecord } from '@mlsys/fraud-core';
import { describe, expect, it } from 'vitest';
import {
  asEvent,
  chargebackOf,
  enrichedOf,
  MemoryStateStore,
  payment,
  records,
  taskWithInlineCheckpoints,
} from './helpers.js';

const assignment = (committed: bigint | null) => [
  { topic: 'tx', partition: 0, committed, start: 0n, end: 100n },
];

/** A seeded stream over many cards, devices and IPs, with a chargeback now and then. */
function busyStream(count: number) {
  let seed = 7;
  const next = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 2 ** 32;
  };
  const payments: Transaction[] = [];
  return Array.from({ length: count }, (_, i) => {
    if (i % 40 === 39) {
      const disputed = payments[Math.floor(next() * payments.length)]!;
      return { kind: 'chargeback' as const, chargeback: chargebackOf(disputed, payments.at(-1)!.eventTime) };
    }
    const ecom = next() < 0.5;
    const online = ecom
      ? { deviceId: `dev-${Math.floor(next() * 120)}`, ip: `10.0.0.${Math.floor(next() * 60)}` }
      : {};
    const txn = payment({
      cardId: `card-${Math.floor(next() * 150)}`,
      terminalId: ['term-1', 'term-2'][Math.floor(next() * 2)]!,
      amount: Math.round(next() * 20_000) / 100 + 1,
      channel: ecom ? 'ecom' : 'pos',
      ...online,
    });
    payments.push(txn);
    return asEvent(txn);
  });
}

describe('FeatureTask', () => {
  it('when restarted from a checkpoint written while the stream ran, then replaying what followed gives the features of an uninterrupted run', async () => {
    const stream = busyStream(1_200);
    const uninterrupted = taskWithInlineCheckpoints(new MemoryStateStore());
    await uninterrupted.task.restore(assignment(null));
    const expected = enrichedOf(await uninterrupted.task.process(records(stream)));

    // The crashed run: batches of 100, each committed and handed to the replica (which checkpoints
    // after every batch), until the process died after committing 1,000 but before its replica saw the last 100.
    const store = new MemoryStateStore();
    const crashed = taskWithInlineCheckpoints(store);
    await crashed.task.restore(assignment(null));
    for (let offset = 0; offset < 900; offset += 100) {
      await crashed.task.process(records(stream.slice(offset, offset + 100), BigInt(offset)));
      await crashed.task.afterCommit();
    }
    await crashed.task.process(records(stream.slice(900, 1_000), 900n));
    await crashed.checkpointer.settled();
    expect(store.offsets.get('tx#0')).toBe(899n);

    const restarted = taskWithInlineCheckpoints(store);
    const rewinds = await restarted.task.restore(assignment(1_000n));
    expect(rewinds).toEqual([{ topic: 'tx', partition: 0, offset: 900n }]);
    const resumed = enrichedOf(await restarted.task.process(records(stream.slice(900), 900n, 1_000n)));

    const live = stream
      .slice(1_000)
      .flatMap((e) => (e.kind === 'transaction' ? [e.transaction.transactionId] : []));
    const byId = new Map(expected.map((e) => [e.transaction.transactionId, e.features]));
    expect(resumed.map((e) => e.transaction.transactionId)).toEqual(live);
    for (const e of resumed) expect(e.features).toEqual(byId.get(e.transaction.transactionId));
  });

  it('when the same payment is delivered twice, then it is enriched once and no aggregate moves', async () => {
    const { task } = taskWithInlineCheckpoints(new MemoryStateStore());
    await task.restore(assignment(null));
    const txn = payment({ cardId: 'card-dup', amount: 50 });
    const next = payment({ cardId: 'card-dup', amount: 10 });

    const output = enrichedOf(
      await task.process(records([asEvent(txn), asEvent({ ...txn }), asEvent(next)])),
    );

    expect(output.map((e) => e.transaction.transactionId)).toEqual([txn.transactionId, next.transactionId]);
    const features = featureRecord(Float64Array.from(output[1]!.features));
    expect(features.card_nb_tx_1d).toBe(2);
    expect(features.card_sum_amount_1d).toBe(60);
  });

  it('when a batch fails before its commit, then the checkpoint never sees it', async () => {
    const store = new MemoryStateStore();
    const { task, checkpointer } = taskWithInlineCheckpoints(store);
    await task.restore(assignment(null));
    task.process(records([asEvent(payment({ cardId: 'card-ok' }))]));
    await task.afterCommit();
    // This batch's transaction fails: the stream restores instead of calling afterCommit.
    task.process(records([asEvent(payment({ cardId: 'card-lost' }))], 1n));
    await task.restore(assignment(1n));
    await checkpointer.settled();

    expect([...store.entities.keys()].filter((k) => k.startsWith('card:'))).toEqual(['card:card-ok']);
    expect(store.offsets.get('tx#0')).toBe(0n);
  });

  it('when a checkpoint fails, then the entities it missed are written by the next one', async () => {
    const store = new MemoryStateStore();
    const { task, checkpointer } = taskWithInlineCheckpoints(store);
    await task.restore(assignment(null));
    task.process(records([asEvent(payment({ cardId: 'card-a', terminalId: 'term-2' }))]));
    store.failNextSave = true;
    await task.afterCommit();
    await checkpointer.settled();
    expect(store.entities.size).toBe(0);

    task.process(records([asEvent(payment({ cardId: 'card-b', terminalId: 'term-2' }))], 1n));
    await task.afterCommit();
    await checkpointer.settled();

    expect([...store.entities.keys()].sort()).toEqual(['card:card-a', 'card:card-b', 'terminal:term-2']);
    expect(store.offsets.get('tx#0')).toBe(1n);
  });
});
