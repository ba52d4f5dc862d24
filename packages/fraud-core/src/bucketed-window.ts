import type { WindowSpec } from './windows.js';

const STRIDE = 3; // [bucket index, count, cents] per bucket

/**
 * Count and sum of one entity's events over a sliding window, in time
 * buckets. Only non-empty buckets are stored (a card with two payments a day
 * keeps two buckets, not a hundred), sorted by bucket index; running totals
 * over the kept buckets answer the usual read (at the newest bucket) in O(1).
 * Events may arrive late: they land in their own bucket while it is still
 * inside the window, and are dropped once it has expired.
 */
export class BucketedWindow {
  private readonly bucketMs: number;
  private readonly bucketsPerWindow: number;
  /** Flat [index, count, cents, index, count, cents, ...], ascending index, live from `head`. */
  private buckets: number[] = [];
  private head = 0;
  private totalCount = 0;
  private totalCents = 0;

  constructor(spec: WindowSpec) {
    this.bucketMs = spec.bucketMs;
    this.bucketsPerWindow = spec.spanMs / spec.bucketMs;
  }

  add(time: number, cents: number): void {
    const bucket = Math.floor(time / this.bucketMs);
    const buckets = this.buckets;
    const last = buckets.length - STRIDE;
    const newest = last >= this.head ? (buckets[last] as number) : Number.NEGATIVE_INFINITY;
    if (bucket === newest) {
      buckets[last + 1]! += 1;
      buckets[last + 2]! += cents;
    } else if (bucket > newest) {
      buckets.push(bucket, 1, cents);
      this.expireUpTo(bucket - this.bucketsPerWindow);
    } else if (bucket > newest - this.bucketsPerWindow) {
      this.insertLate(bucket, cents);
    } else {
      return; // older than the window: it can no longer count
    }
    this.totalCount += 1;
    this.totalCents += cents;
  }

  /** Number of events in the window ending at `time`. */
  countAt(time: number): number {
    const bucket = Math.floor(time / this.bucketMs);
    return bucket === this.newestBucket() ? this.totalCount : this.scan(bucket, 1);
  }

  /** Sum of the events' cents in the window ending at `time`. */
  centsAt(time: number): number {
    const bucket = Math.floor(time / this.bucketMs);
    return bucket === this.newestBucket() ? this.totalCents : this.scan(bucket, 2);
  }

  /** The stored buckets, for a snapshot (a copy: the caller may serialise it later). */
  toJSON(): number[] {
    return this.buckets.slice(this.head);
  }

  /** Rebuilds the state from `toJSON()` output; totals are recomputed, exactly, from integer cents. */
  static fromJSON(spec: WindowSpec, buckets: readonly number[]): BucketedWindow {
    if (buckets.length % STRIDE !== 0)
      throw new Error(
        `window ${spec.name}: snapshot length ${buckets.length} is not a multiple of ${STRIDE}`,
      );
    const window = new BucketedWindow(spec);
    window.buckets = buckets.slice();
    for (let i = 0; i < buckets.length; i += STRIDE) {
      window.totalCount += buckets[i + 1] as number;
      window.totalCents += buckets[i + 2] as number;
    }
    return window;
  }

  private newestBucket(): number {
    const last = this.buckets.length - STRIDE;
    return last >= this.head ? (this.buckets[last] as number) : Number.NaN;
  }

  /** Sums field `offset` over buckets in (bucket - bucketsPerWindow, bucket]: reads away from the newest bucket. */
  private scan(bucket: number, offset: 1 | 2): number {
    const oldest = bucket - this.bucketsPerWindow;
    let total = 0;
    for (let i = this.head; i < this.buckets.length; i += STRIDE) {
      const index = this.buckets[i] as number;
      if (index > bucket) break;
      if (index > oldest) total += this.buckets[i + offset] as number;
    }
    return total;
  }

  private expireUpTo(oldestExpired: number): void {
    const buckets = this.buckets;
    let head = this.head;
    while (head < buckets.length && (buckets[head] as number) <= oldestExpired) {
      this.totalCount -= buckets[head + 1] as number;
      this.totalCents -= buckets[head + 2] as number;
      head += STRIDE;
    }
    this.head = head;
    // Expired buckets are skipped by `head` and dropped in bulk, not shifted out one by one.
    if (head >= 32 * STRIDE && head * 2 >= buckets.length) {
      this.buckets = buckets.slice(head);
      this.head = 0;
    }
  }

  private insertLate(bucket: number, cents: number): void {
    const buckets = this.buckets;
    let i = buckets.length - STRIDE;
    while (i >= this.head && (buckets[i] as number) > bucket) i -= STRIDE;
    if (i >= this.head && buckets[i] === bucket) {
      buckets[i + 1]! += 1;
      buckets[i + 2]! += cents;
    } else {
      buckets.splice(i + STRIDE, 0, bucket, 1, cents);
    }
  }
}
