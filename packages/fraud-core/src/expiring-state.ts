/**
 * A map whose entries carry a time and leave once that time falls behind a
 * cutoff. It relies on Map's insertion order: events mostly arrive in time
 * order, so expiry only ever looks at the front. A late event lands behind
 * newer ones and is kept a little longer than needed, never dropped early.
 */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly timeOf: (value: V) => number) {}

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Sets the entry and moves it to the back (it is now the newest). */
  touch(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
  }

  /** Drops entries whose time is at or before `cutoff`, from the front. */
  expire(cutoff: number): void {
    for (const [key, value] of this.entries) {
      if (this.timeOf(value) > cutoff) return;
      this.entries.delete(key);
    }
  }

  /** Entries whose time lies in (from, to]. */
  countBetween(from: number, to: number): number {
    let count = 0;
    for (const value of this.entries.values()) {
      const time = this.timeOf(value);
      if (time > from && time <= to) count += 1;
    }
    return count;
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries[Symbol.iterator]();
  }
}

/**
 * Distinct keys (terminals of a card, cards of a device, ...) seen within a
 * span: each key remembers when it was last seen. Exact rather than bucketed,
 * because its size is bounded by the number of distinct keys in the span.
 */
export class DistinctWithin {
  private readonly lastSeen = new ExpiringMap<number>((time) => time);
  private newest = Number.NEGATIVE_INFINITY;

  constructor(private readonly spanMs: number) {}

  add(key: string, time: number): void {
    const previous = this.lastSeen.get(key);
    if (previous === undefined || time > previous) this.lastSeen.touch(key, time);
    if (time > this.newest) {
      this.newest = time;
      this.lastSeen.expire(time - this.spanMs);
    }
  }

  countAt(time: number): number {
    return time === this.newest ? this.lastSeen.size : this.lastSeen.countBetween(time - this.spanMs, time);
  }

  toJSON(): [string, number][] {
    return [...this.lastSeen];
  }

  static fromJSON(spanMs: number, entries: readonly [string, number][]): DistinctWithin {
    const distinct = new DistinctWithin(spanMs);
    for (const [key, time] of entries) {
      distinct.lastSeen.touch(key, time);
      if (time > distinct.newest) distinct.newest = time;
    }
    return distinct;
  }
}

/**
 * The last `capacity` distinct keys used (a card's known devices or IPs).
 * Bounded by count rather than time: a device a cardholder uses once a
 * quarter is still theirs.
 */
export class RecentlyUsed {
  private readonly keys = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  get size(): number {
    return this.keys.size;
  }

  use(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next().value as string;
      this.keys.delete(oldest);
    }
  }

  toJSON(): string[] {
    return [...this.keys];
  }

  static fromJSON(capacity: number, keys: readonly string[]): RecentlyUsed {
    const used = new RecentlyUsed(capacity);
    for (const key of keys) used.use(key);
    return used;
  }
}
