import { describe, expect, it } from 'vitest';
import { coverRange, HOUR, MINUTE, SECOND } from '../src/domain/range-cover.js';
import { DAY, T0 } from './scenario.js';

/** What is wrong with the cover of (from, to]: gaps, overlaps, misaligned buckets, too many edge pieces. */
function problems(from: number, to: number, openEnd: boolean): string[] {
  const cover = coverRange(from, to, openEnd);
  const found: string[] = [];
  for (const { width, start } of cover.buckets)
    if (start % width !== 0) found.push(`bucket ${start} not aligned`);
  for (const cut of cover.cutSeconds) {
    if (cut.from + 1 < cut.start || cut.to >= cut.start + SECOND) found.push(`cut ${cut.start} spills`);
  }
  const pieces = [
    ...cover.buckets.map((b) => [b.start, b.start + b.width] as const),
    ...cover.cutSeconds.map((c) => [c.from + 1, c.to + 1] as const),
  ].sort((a, b) => a[0] - b[0]);
  const end = openEnd ? Math.ceil((to + 1) / HOUR) * HOUR : to + 1;
  if (pieces[0]?.[0] !== from + 1) found.push('does not start at from + 1');
  if (pieces.at(-1)?.[1] !== end) found.push(`does not end at ${end}`);
  for (let i = 1; i < pieces.length; i++) {
    if (pieces[i]![0] !== pieces[i - 1]![1]) found.push(`gap or overlap at ${pieces[i]![0]}`);
  }
  const count = (width: number) => cover.buckets.filter((b) => b.width === width).length;
  if (count(MINUTE) > 2 * 59 || count(SECOND) > 2 * 59)
    found.push('more than 59 minutes or seconds per edge');
  if (cover.cutSeconds.length > (openEnd ? 1 : 2)) found.push('more cut seconds than edges');
  return found;
}

describe('coverRange', () => {
  it('when ranges of any length and alignment are covered, then every millisecond in them is in exactly one piece, and the edges cost at most 59 minutes, 59 seconds and one cut second each', () => {
    let seed = 3;
    const next = () => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed / 2 ** 32;
    };
    const found: string[] = [];
    for (let trial = 0; trial < 2_000; trial++) {
      const to = T0 + Math.floor(next() * 10 * DAY);
      // Mostly short ranges (edges within one hour, minute or second), some up to 30 days.
      const from = to - Math.floor(next() ** 4 * 30 * DAY) - 1;
      found.push(...problems(from, to, trial % 2 === 0).map((p) => `(${from}, ${to}]: ${p}`));
    }

    expect(found).toEqual([]);
  });

  it('when a range lies within one second, then it is one cut second', () => {
    expect(coverRange(T0 + 100, T0 + 200, false)).toEqual({
      buckets: [],
      cutSeconds: [{ start: T0, from: T0 + 100, to: T0 + 200 }],
    });
  });

  it('when a range crosses a second boundary without a whole second, then it is two cut seconds', () => {
    expect(coverRange(T0 + 500, T0 + 1_500, false).cutSeconds).toEqual([
      { start: T0, from: T0 + 500, to: T0 + 999 },
      { start: T0 + 1_000, from: T0 + 999, to: T0 + 1_500 },
    ]);
  });
});
