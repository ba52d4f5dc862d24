import { describe, expect, it } from 'vitest';
import { PartitionBuffers, type RecordOrder } from '../src/stream/partition-buffers.js';

interface Rec {
  id: string;
  time: number;
  rank?: number;
}
const rec = (id: string, time: number, rank = 1): Rec => ({ id, time, rank });
const ids = (records: readonly Rec[]) => records.map((r) => r.id);

const eventTime = (maxWaitMs = 100): RecordOrder<Rec> => ({
  kind: 'event-time',
  timeOf: (r) => r.time,
  rankOf: (r) => r.rank ?? 1,
  maxWaitMs,
});

function twoPartitions(ordering: RecordOrder<Rec>, caughtUp = false) {
  const buffers = new PartitionBuffers<Rec>(ordering);
  buffers.assign([
    { topic: 't', partition: 0, caughtUp },
    { topic: 't', partition: 1, caughtUp },
  ]);
  return buffers;
}

describe('PartitionBuffers in arrival order', () => {
  it('when both partitions have records, then every record is ready and each partition keeps its order', () => {
    const buffers = twoPartitions({ kind: 'arrival' });
    buffers.push('t', 0, [rec('a1', 5), rec('a2', 9)], false);
    buffers.push('t', 1, [rec('b1', 1)], false);

    const { records } = buffers.take(10, 0);

    expect(records).toHaveLength(3);
    expect(ids(records).filter((id) => id.startsWith('a'))).toEqual(['a1', 'a2']);
    expect(buffers.total).toBe(0);
  });

  it('when more records wait than the batch limit, then the limit is respected and the rest stays', () => {
    const buffers = twoPartitions({ kind: 'arrival' });
    buffers.push('t', 0, [rec('a1', 1), rec('a2', 2), rec('a3', 3)], false);

    expect(ids(buffers.take(2, 0).records)).toEqual(['a1', 'a2']);
    expect(buffers.total).toBe(1);
  });
});

describe('PartitionBuffers in event time', () => {
  it('when both partitions have records, then they come out merged by time', () => {
    const buffers = twoPartitions(eventTime());
    buffers.push('t', 0, [rec('a1', 1), rec('a2', 4), rec('a3', 6)], true);
    buffers.push('t', 1, [rec('b1', 2), rec('b2', 5)], true);

    expect(ids(buffers.take(10, 0).records)).toEqual(['a1', 'b1', 'a2', 'b2', 'a3']);
  });

  it('when a partition with a backlog has delivered nothing yet, then later records of others wait for it', () => {
    const buffers = twoPartitions(eventTime());
    buffers.push('t', 0, [rec('a1', 10), rec('a2', 20)], false);

    expect(buffers.take(10, 0).records).toEqual([]);
    buffers.push('t', 1, [rec('b1', 15)], false);
    // b1 is the lagging partition's latest: a2 (20) may still be preceded by more of partition 1.
    expect(ids(buffers.take(10, 1).records)).toEqual(['a1', 'b1']);
    buffers.push('t', 1, [rec('b2', 25)], true);
    // Now partition 0, drained but not at its end, may still deliver something before 25.
    expect(ids(buffers.take(10, 2).records)).toEqual(['a2']);
  });

  it('when the other partition is read to its end, then it does not hold the merge back', () => {
    const buffers = twoPartitions(eventTime(), true);
    buffers.push('t', 0, [rec('a1', 10)], true);

    expect(ids(buffers.take(10, 0).records)).toEqual(['a1']);
  });

  it('when a partition stays silent longer than the wait limit, then it is passed over and counted', () => {
    const buffers = twoPartitions(eventTime(100));
    buffers.push('t', 0, [rec('a1', 10)], false);

    expect(buffers.take(10, 1_000).records).toEqual([]);
    expect(buffers.forcedReleaseAt()).toBe(1_100);
    const late = buffers.take(10, 1_100);
    expect(ids(late.records)).toEqual(['a1']);
    expect(late.forced).toBe(1);
  });

  it('when a chargeback and a payment share a millisecond, then the lower rank (the chargeback) goes first', () => {
    const buffers = twoPartitions(eventTime(), true);
    buffers.push('t', 0, [rec('payment', 7, 1)], true);
    buffers.push('t', 1, [rec('chargeback', 7, 0)], true);

    expect(ids(buffers.take(10, 0).records)).toEqual(['chargeback', 'payment']);
  });

  it('when the assignment changes, then records of the old one are dropped and unassigned pushes ignored', () => {
    const buffers = twoPartitions(eventTime(), true);
    buffers.push('t', 0, [rec('old', 1)], true);
    buffers.assign([{ topic: 't', partition: 1, caughtUp: true }]);
    buffers.push('t', 0, [rec('not-ours', 2)], true);

    expect(buffers.total).toBe(0);
  });
});
