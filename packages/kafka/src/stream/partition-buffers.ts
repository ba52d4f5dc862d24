/**
 * Records fetched from Kafka wait here, per topic-partition, until the
 * stream task takes them. Two orders:
 *
 * - `arrival`: every buffered record is ready; partitions are drained in
 *   turn. For stateless tasks (the scorer), where order across partitions
 *   does not matter.
 * - `event-time`: records come out merged across partitions in event time,
 *   as Flink aligns its inputs with watermarks. A record is released only
 *   when no assigned partition can still deliver an earlier one: every
 *   other partition either has an equal or later record waiting, has been
 *   read up to its end (caught up), or has already delivered a later time.
 *   Kafka orders records only within a partition, so without this the
 *   terminal/device/IP windows (fed by every partition) would see payments
 *   in an order offline replay never does. A partition that holds the
 *   merge back for longer than `maxWaitMs` is passed over (and counted), so
 *   a stalled partition costs bounded latency rather than a stalled stream.
 */

import type { TopicPartition } from './task.js';

export const partitionKey = (topic: string, partition: number): string => `${topic}#${partition}`;

export type RecordOrder<R> =
  | { kind: 'arrival' }
  | {
      kind: 'event-time';
      /** The time a record is ordered by (ms). */
      timeOf(record: R): number;
      /** Breaks ties between equal times: lower goes first (e.g. chargebacks before payments). */
      rankOf(record: R): number;
      maxWaitMs: number;
    };

interface PartitionQueue<R> {
  readonly key: string;
  records: R[];
  head: number;
  /** Latest order time seen on this partition: its next record is assumed no earlier. */
  latestTime: number;
  /** Read up to the partition's end at the last fetch: nothing older is on its way. */
  caughtUp: boolean;
}

export interface TakeResult<R> {
  records: R[];
  /** Partitions passed over because they held the merge back longer than `maxWaitMs`. */
  forced: number;
}

export class PartitionBuffers<R> {
  private queues = new Map<string, PartitionQueue<R>>();
  private order: string[] = [];
  private nextStart = 0;
  /** When the event-time merge became blocked by a silent partition; undefined while it flows. */
  private blockedSince: number | undefined;

  constructor(private readonly ordering: RecordOrder<R>) {}

  /** Starts over with a new assignment: every buffered record is dropped. */
  assign(partitions: ReadonlyArray<TopicPartition & { caughtUp: boolean }>): void {
    this.queues = new Map(
      partitions.map((p) => {
        const key = partitionKey(p.topic, p.partition);
        return [
          key,
          { key, records: [], head: 0, latestTime: Number.NEGATIVE_INFINITY, caughtUp: p.caughtUp },
        ];
      }),
    );
    this.order = [...this.queues.keys()];
    this.nextStart = 0;
    this.blockedSince = undefined;
  }

  /** Appends one fetched batch (in offset order); ignored for a partition not assigned. */
  push(topic: string, partition: number, records: readonly R[], caughtUp: boolean): void {
    const queue = this.queues.get(partitionKey(topic, partition));
    if (!queue) return;
    for (const record of records) {
      queue.records.push(record);
      if (this.ordering.kind === 'event-time') {
        const time = this.ordering.timeOf(record);
        if (time > queue.latestTime) queue.latestTime = time;
      }
    }
    queue.caughtUp = caughtUp;
  }

  /** The partition was read to its end (e.g. only transaction markers followed). */
  markCaughtUp(topic: string, partition: number): void {
    const queue = this.queues.get(partitionKey(topic, partition));
    if (queue) queue.caughtUp = true;
  }

  size(topic: string, partition: number): number {
    const queue = this.queues.get(partitionKey(topic, partition));
    return queue ? queue.records.length - queue.head : 0;
  }

  get total(): number {
    let total = 0;
    for (const queue of this.queues.values()) total += queue.records.length - queue.head;
    return total;
  }

  /** Takes up to `max` ready records, in order. */
  take(max: number, now: number): TakeResult<R> {
    return this.ordering.kind === 'arrival'
      ? { records: this.takeInArrivalOrder(max), forced: 0 }
      : this.takeInEventTime(max, now, this.ordering);
  }

  /**
   * When `take` could release more by passing over a silent partition; the
   * caller wakes up then. Undefined when nothing is being held back.
   */
  forcedReleaseAt(): number | undefined {
    if (this.ordering.kind !== 'event-time' || this.blockedSince === undefined) return undefined;
    return this.blockedSince + this.ordering.maxWaitMs;
  }

  private takeInArrivalOrder(max: number): R[] {
    const out: R[] = [];
    const count = this.order.length;
    for (let i = 0; i < count && out.length < max; i++) {
      const queue = this.queues.get(this.order[(this.nextStart + i) % count]!)!;
      while (queue.head < queue.records.length && out.length < max) out.push(queue.records[queue.head++]!);
      compact(queue);
    }
    // Start with the next partition next time, so no partition waits behind a busy one.
    if (count > 0) this.nextStart = (this.nextStart + 1) % count;
    return out;
  }

  private takeInEventTime(
    max: number,
    now: number,
    ordering: Extract<RecordOrder<R>, { kind: 'event-time' }>,
  ): TakeResult<R> {
    const out: R[] = [];
    let forced = 0;
    const queues = [...this.queues.values()];
    while (out.length < max) {
      const next = earliestHead(queues, ordering);
      if (!next) break;
      const time = ordering.timeOf(next.records[next.head]!);
      const blocker = queues.find((q) => q.head === q.records.length && !q.caughtUp && q.latestTime < time);
      if (blocker) {
        this.blockedSince ??= now;
        if (now - this.blockedSince < ordering.maxWaitMs) break;
        // The silent partition had its chance; assume it has nothing earlier.
        blocker.latestTime = time;
        forced += 1;
        continue;
      }
      out.push(next.records[next.head++]!);
      compact(next);
    }
    if (out.length > 0 || forced > 0 || this.total === 0) this.blockedSince = undefined;
    return { records: out, forced };
  }
}

function earliestHead<R>(
  queues: readonly PartitionQueue<R>[],
  ordering: Extract<RecordOrder<R>, { kind: 'event-time' }>,
): PartitionQueue<R> | undefined {
  let best: PartitionQueue<R> | undefined;
  let bestTime = 0;
  let bestRank = 0;
  for (const queue of queues) {
    if (queue.head === queue.records.length) continue;
    const record = queue.records[queue.head]!;
    const time = ordering.timeOf(record);
    const rank = ordering.rankOf(record);
    if (!best || time < bestTime || (time === bestTime && rank < bestRank)) {
      best = queue;
      bestTime = time;
      bestRank = rank;
    }
  }
  return best;
}

/** Drops consumed records in bulk once they are most of the array, instead of shifting one by one. */
function compact<R>(queue: PartitionQueue<R>): void {
  if (queue.head === queue.records.length) {
    queue.records = [];
    queue.head = 0;
  } else if (queue.head > 1024 && queue.head * 2 > queue.records.length) {
    queue.records = queue.records.slice(queue.head);
    queue.head = 0;
  }
}
