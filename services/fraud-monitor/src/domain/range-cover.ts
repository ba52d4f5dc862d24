export const SECOND = 1_000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

/** Counter buckets a store keeps, widest first. */
const WIDTHS = [HOUR, MINUTE, SECOND] as const;

export interface RangeCover {
  /** Whole counter buckets inside the range: [start, start + width). */
  buckets: { width: number; start: number }[];
  /** Seconds the range cuts: their decisions are read one by one, keeping event times in (from, to]. */
  cutSeconds: { start: number; from: number; to: number }[];
}

const floorTo = (time: number, width: number) => Math.floor(time / width) * width;
const ceilTo = (time: number, width: number) => Math.ceil(time / width) * width;

/**
 * The event times (from, to] as whole hours, then whole minutes and whole
 * seconds at its two edges, then the records of the (at most two) seconds
 * it cuts: exact to the millisecond, and bounded by 59 minutes and 59
 * seconds per edge whatever the decision rate. `openEnd`: nothing is later
 * than `to` (it is the stream time), so its hour is read whole rather than
 * cut; a cohort's younger edge (`to` before the stream time) is cut.
 */
export function coverRange(from: number, to: number, openEnd: boolean): RangeCover {
  const cover: RangeCover = { buckets: [], cutSeconds: [] };
  // Whole milliseconds [a, b).
  split(from + 1, openEnd ? ceilTo(to + 1, HOUR) : to + 1, 0, cover);
  return cover;
}

function split(a: number, b: number, level: number, cover: RangeCover): void {
  if (a >= b) return;
  const width = WIDTHS[level];
  if (width === undefined) {
    // Finer than a second: [a, b) lies within one second.
    cover.cutSeconds.push({ start: floorTo(a, SECOND), from: a - 1, to: b - 1 });
    return;
  }
  const first = ceilTo(a, width);
  const last = floorTo(b, width);
  if (first > last) {
    // Within one bucket of this width.
    split(a, b, level + 1, cover);
    return;
  }
  split(a, first, level + 1, cover);
  for (let start = first; start < last; start += width) cover.buckets.push({ width, start });
  split(last, b, level + 1, cover);
}
