/**
 * Consumer lag: how far each consumer group is behind the end of each topic
 * it reads, summed over the partitions. Offsets come as kafkajs gives them
 * (strings; `-1` for a partition the group never committed, which then lags
 * by everything the topic still holds).
 */

export interface CommittedOffset {
  partition: number;
  offset: string;
}

export interface PartitionEnds {
  partition: number;
  /** The next offset to be written. */
  high: string;
  /** The oldest offset still held. */
  low: string;
}

export function topicLag(committed: readonly CommittedOffset[], ends: readonly PartitionEnds[]): number {
  const byPartition = new Map(committed.map((c) => [c.partition, BigInt(c.offset)]));
  let lag = 0n;
  for (const end of ends) {
    const high = BigInt(end.high);
    const at = byPartition.get(end.partition) ?? -1n;
    const from = at < 0n ? BigInt(end.low) : at;
    if (high > from) lag += high - from;
  }
  return Number(lag);
}

export interface GroupLag {
  group: string;
  topic: string;
  lag: number;
}

export interface LagView {
  group: string;
  topic: string;
  lag: number;
  /** Lag now minus lag at the window's start: above zero, the group falls behind. */
  growth: number;
}

/** Lag readings over a window, to tell a group that keeps up from one that falls behind. */
export class LagHistory {
  private readings: Array<{ at: number; lags: readonly GroupLag[] }> = [];
  private lastError: string | undefined;
  private attempted = false;

  constructor(readonly windowMs: number) {}

  record(at: number, lags: readonly GroupLag[]): void {
    this.attempted = true;
    this.lastError = undefined;
    this.readings.push({ at, lags });
    while (this.readings.length > 1 && this.readings[1]!.at <= at - this.windowMs) this.readings.shift();
  }

  recordFailure(error: string): void {
    this.attempted = true;
    this.lastError = error;
  }

  get up(): boolean | undefined {
    return this.attempted ? this.lastError === undefined : undefined;
  }

  get error(): string | undefined {
    return this.lastError;
  }

  view(): LagView[] {
    const first = this.readings[0];
    const last = this.readings.at(-1);
    if (!first || !last) return [];
    const key = (l: GroupLag) => `${l.group}\u0000${l.topic}`;
    const before = new Map(first.lags.map((l) => [key(l), l.lag]));
    return last.lags.map((l) => ({ ...l, growth: l.lag - (before.get(key(l)) ?? l.lag) }));
  }
}
