import { describe, expect, it } from 'vitest';
import { partitionKey } from '../src/stream/partition-buffers.js';
import { offsetsToCommit } from '../src/stream/transactions.js';

const at = (topic: string, partition: number, offset: bigint) => ({ topic, partition, offset });

describe('offsetsToCommit', () => {
  it('when a batch holds several records of a partition, then the offset after its highest is committed', () => {
    const offsets = offsetsToCommit(
      [at('in', 0, 4n), at('in', 1, 7n), at('in', 0, 6n), at('in', 0, 5n)],
      new Map(),
    );

    expect(offsets).toEqual([
      {
        topic: 'in',
        partitions: [
          { partition: 0, offset: '7' },
          { partition: 1, offset: '8' },
        ],
      },
    ]);
  });

  it('when a partition would not move past its committed offset, then it is left out', () => {
    const committed = new Map([
      [partitionKey('in', 0), 7n],
      [partitionKey('other', 0), 2n],
    ]);

    const offsets = offsetsToCommit([at('in', 0, 5n), at('in', 0, 6n), at('other', 0, 2n)], committed);

    expect(offsets).toEqual([{ topic: 'other', partitions: [{ partition: 0, offset: '3' }] }]);
  });
});
