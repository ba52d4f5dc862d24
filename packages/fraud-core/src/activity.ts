import { BucketedWindow } from './bucketed-window.js';
import { WINDOWS } from './windows.js';

/** Counts and sums of one entity's payments over every window of WINDOWS, in the same order. */
export class Activity {
  private constructor(private readonly windows: BucketedWindow[]) {}

  static empty(): Activity {
    return new Activity(WINDOWS.map((spec) => new BucketedWindow(spec)));
  }

  add(time: number, cents: number): void {
    for (let w = 0; w < this.windows.length; w++) this.windows[w]!.add(time, cents);
  }

  /** Writes count and sum (major units) of each window at `time` into `out`, at the given indexes. */
  writeAt(
    time: number,
    out: Float64Array,
    countIndexes: readonly number[],
    sumIndexes: readonly number[],
  ): void {
    for (let w = 0; w < this.windows.length; w++) {
      const window = this.windows[w]!;
      out[countIndexes[w]!] = window.countAt(time);
      out[sumIndexes[w]!] = window.centsAt(time) / 100;
    }
  }

  /** Count in the window at position `w` of WINDOWS. */
  countAt(w: number, time: number): number {
    return this.windows[w]!.countAt(time);
  }

  toJSON(): number[][] {
    return this.windows.map((window) => window.toJSON());
  }

  static fromJSON(buckets: readonly (readonly number[])[]): Activity {
    if (buckets.length !== WINDOWS.length) {
      throw new Error(`activity snapshot has ${buckets.length} windows, expected ${WINDOWS.length}`);
    }
    return new Activity(WINDOWS.map((spec, w) => BucketedWindow.fromJSON(spec, buckets[w]!)));
  }
}

export const WINDOW_7D = WINDOWS.findIndex((w) => w.name === '7d');
export const WINDOW_30D = WINDOWS.findIndex((w) => w.name === '30d');
