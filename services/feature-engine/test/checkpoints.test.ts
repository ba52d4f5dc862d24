import { FraudFeatureEngine } from '@mlsys/fraud-core';
import { describe, expect, it } from 'vitest';
import { CheckpointReplica } from '../src/domain/checkpoint-replica.js';
import { CheckpointTracker, offsetKey, rewindsFor } from '../src/domain/checkpoints.js';
import { asEvent, MemoryStateStore, payment } from './helpers.js';

const partition = (p: number, committed: bigint | null, start = 0n) => ({
  topic: 'tx',
  partition: p,
  committed,
  start,
  end: 1_000n,
});

describe('rewindsFor', () => {
  it('when the checkpoint lags the committed offset, then the partition is re-read from just after the checkpoint', () => {
    const rewinds = rewindsFor([partition(0, 500n)], new Map([[offsetKey('tx', 0), 449n]]));
    expect(rewinds).toEqual([{ topic: 'tx', partition: 0, offset: 450n }]);
  });

  it('when the checkpoint covers everything committed, then nothing is rewound', () => {
    expect(rewindsFor([partition(0, 500n)], new Map([[offsetKey('tx', 0), 499n]]))).toEqual([]);
  });

  it('when the group never committed, then there is nothing to rebuild', () => {
    expect(rewindsFor([partition(0, null)], new Map())).toEqual([]);
  });

  it('when the group committed but the checkpoint lost the partition, then it is rebuilt from the oldest record', () => {
    expect(rewindsFor([partition(2, 300n, 10n)], new Map())).toEqual([
      { topic: 'tx', partition: 2, offset: 10n },
    ]);
  });
});

describe('CheckpointTracker', () => {
  it('when records were applied and the interval passed, then a checkpoint is due with the highest offsets', () => {
    const tracker = new CheckpointTracker(1_000, 0);
    tracker.recordApplied('tx', 0, 7n);
    tracker.recordApplied('tx', 0, 5n);
    tracker.recordApplied('cb', 1, 2n);

    expect(tracker.isDue(999)).toBe(false);
    expect(tracker.isDue(1_000)).toBe(true);
    expect(tracker.cut(1_000)).toEqual(
      new Map([
        [offsetKey('tx', 0), 7n],
        [offsetKey('cb', 1), 2n],
      ]),
    );
  });

  it('when nothing was applied since the last checkpoint, then none is due however long it has been', () => {
    const tracker = new CheckpointTracker(0, 0);
    tracker.recordApplied('tx', 0, 1n);
    tracker.cut(10);

    expect(tracker.isDue(1_000_000)).toBe(false);
  });
});

describe('CheckpointReplica', () => {
  const newEngine = () => new FraudFeatureEngine({ terminals: new Map() });

  it('when it is stopped before it ever restored, then it writes no checkpoint over the stored one', async () => {
    const store = new MemoryStateStore();
    const replica = new CheckpointReplica(store, newEngine, 0);

    await replica.checkpoint();

    expect(store.saves).toBe(0);
  });

  it('when it restored and applied a batch, then its checkpoint holds the batch and its offsets', async () => {
    const store = new MemoryStateStore();
    const replica = new CheckpointReplica(store, newEngine, 0);
    await replica.restore();

    await replica.apply({
      events: [asEvent(payment({ transactionId: 'tx-1' }))],
      offsets: [[offsetKey('transactions', 0), 7n]],
    });

    expect(store.saves).toBe(1);
    expect(store.offsets).toEqual(new Map([[offsetKey('transactions', 0), 7n]]));
  });
});
