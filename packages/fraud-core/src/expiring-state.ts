/**
 * A FIFO of (key, time) kept in time order: expiry pops from the front and
 * never walks a Map. (Walking a Map from its start after many deletes is
 * slow in V8: deleted slots stay until the table is rebuilt.) Events mostly
 * arrive in time order, so keeping the order is an append; a late event is
 * inserted at its place, which keeps expiry exact.
 */
class TimeQueue {
  private keys: string[] = [];
  private times: number[] = [];
  private head = 0;

  push(key: string, time: number): void {
    const last = this.times.length - 1;
    if (last < this.head || this.times[last]! <= time) {
      this.keys.push(key);
      this.times.push(time);
      return;
    }
    let at = last;
    while (at > this.head && this.times[at - 1]! > time) at -= 1;
    this.keys.splice(at, 0, key);
    this.times.splice(at, 0, time);
  }

  /** Time of the oldest entry (+Infinity when empty). */
  oldestTime(): number {
    return this.head < this.times.length ? this.times[this.head]! : Number.POSITIVE_INFINITY;
  }

  oldestKey(): string {
    return this.keys[this.head]!;
  }

  /** Drops the oldest entry; compacts once the dropped prefix dominates, so memory follows the live entries. */
  dropOldest(): void {
    this.head += 1;
    if (this.head > 64 && this.head * 2 > this.times.length) {
      this.keys = this.keys.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * Distinct keys (terminals of a card, cards of a device, ...) seen within a
 * span: each key remembers when it was last seen. Exact rather than bucketed,
 * because its size is bounded by the number of distinct keys in the span.
 */
export class DistinctWithin {
  private readonly lastSeen = new Map<string, number>();
  private readonly queue = new TimeQueue();
  private newest = Number.NEGATIVE_INFINITY;

  constructor(private readonly spanMs: number) {}

  add(key: string, time: number): void {
    const previous = this.lastSeen.get(key);
    if (previous === undefined || time > previous) {
      this.lastSeen.set(key, time);
      this.queue.push(key, time);
    }
    if (time > this.newest) {
      this.newest = time;
      const cutoff = time - this.spanMs;
      while (this.queue.oldestTime() <= cutoff) {
        // An older sighting of a key seen again since is not its last: only the last one removes it.
        const expired = this.queue.oldestKey();
        if (this.lastSeen.get(expired) === this.queue.oldestTime()) this.lastSeen.delete(expired);
        this.queue.dropOldest();
      }
    }
  }

  countAt(time: number): number {
    if (time === this.newest) return this.lastSeen.size;
    let count = 0;
    for (const seenAt of this.lastSeen.values())
      if (seenAt > time - this.spanMs && seenAt <= time) count += 1;
    return count;
  }

  /** [key, last seen] ordered by time then key: a canonical form, whatever the arrival history. */
  toJSON(): [string, number][] {
    return [...this.lastSeen].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  static fromJSON(spanMs: number, entries: readonly [string, number][]): DistinctWithin {
    const distinct = new DistinctWithin(spanMs);
    for (const [key, time] of entries) {
      distinct.lastSeen.set(key, time);
      distinct.queue.push(key, time);
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
  private latest: string | undefined;

  constructor(private readonly capacity: number) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  use(key: string): void {
    if (key === this.latest) return; // already the most recent: the common case, and free
    this.latest = key;
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
