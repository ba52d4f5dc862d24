import { describe, expect, it } from 'vitest';
import { FailureRun } from '../src/stream/failure-run.js';

describe('a stream’s run of failed batches', () => {
  it('when batches keep failing, then the pause before each restore doubles from 250 ms up to 5 s', () => {
    const run = new FailureRun(() => 0);
    const pauses = Array.from({ length: 7 }, () => run.failed(new Error('Command timed out')).backoffMs);
    expect(pauses).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
  });

  it('when they have failed for over 60 s without a success, then the stream stops, saying how long and why', () => {
    let now = 0;
    const run = new FailureRun(() => now);
    run.failed(new Error('first'));
    now = 60_001;
    expect(run.failed(new Error('Command timed out')).fatal).toBe(
      'stream failed 2 times in a row over 60 s, last: Command timed out',
    );
  });

  it('when a batch succeeds, then the next failure starts a new run', () => {
    let now = 0;
    const run = new FailureRun(() => now);
    run.failed(new Error('a'));
    run.failed(new Error('b'));
    run.succeeded();
    now = 120_000;
    expect(run.failed(new Error('c'))).toEqual({ backoffMs: 250 });
    expect(run.count).toBe(1);
  });
});
