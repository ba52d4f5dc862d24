/** How a wait for a partition's earlier payments ended. */
export type ProgressWait = 'applied' | 'moved' | 'timeout';

interface Waiter {
  offset: bigint;
  settle(outcome: ProgressWait): void;
}

/**
 * How far the live engine has applied each owned partition of the payments
 * topic, counting both the stream's batches and payments applied on the
 * request path. A request may apply its payment at offset o only once every
 * offset before o is in: that is what makes a card's synchronous features
 * include all of its earlier payments, however they arrived.
 */
export class PartitionProgress {
  /** Last applied offset per owned partition (-1n: none yet). */
  private readonly through = new Map<number, bigint>();
  private readonly waiters = new Map<number, Set<Waiter>>();

  /** Partitions owned now (none while the task restores). */
  get owned(): number[] {
    return [...this.through.keys()].sort((a, b) => a - b);
  }

  owns(partition: number): boolean {
    return this.through.has(partition);
  }

  appliedThrough(partition: number): bigint | undefined {
    return this.through.get(partition);
  }

  /** Drops every partition (a rebalance started): waiters learn their partition moved. */
  clear(): void {
    this.through.clear();
    for (const set of this.waiters.values()) for (const waiter of set) waiter.settle('moved');
    this.waiters.clear();
  }

  /** Owns these partitions from the given next offsets on (the restore's starting points). */
  assign(nextOffsets: ReadonlyMap<number, bigint>): void {
    this.clear();
    for (const [partition, next] of nextOffsets) this.through.set(partition, next - 1n);
  }

  /** The engine applied `offset` of `partition` (offsets only move forward; gaps such as control records are jumped). */
  advance(partition: number, offset: bigint): void {
    const current = this.through.get(partition);
    if (current === undefined || offset <= current) return;
    this.through.set(partition, offset);
    const set = this.waiters.get(partition);
    if (!set) return;
    for (const waiter of set) if (waiter.offset <= offset) waiter.settle('applied');
  }

  /** Resolves once `offset` of `partition` is applied, the partition moves away, or `timeoutMs` passes. */
  waitFor(partition: number, offset: bigint, timeoutMs: number): Promise<ProgressWait> {
    const current = this.through.get(partition);
    if (current === undefined) return Promise.resolve('moved');
    if (offset <= current) return Promise.resolve('applied');
    return new Promise((resolve) => {
      const set = this.waiters.get(partition) ?? new Set<Waiter>();
      this.waiters.set(partition, set);
      const waiter: Waiter = {
        offset,
        settle: (outcome) => {
          clearTimeout(timer);
          set.delete(waiter);
          resolve(outcome);
        },
      };
      const timer = setTimeout(() => waiter.settle('timeout'), timeoutMs);
      set.add(waiter);
    });
  }
}
