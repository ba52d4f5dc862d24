/** How a wait for a card's earlier payments ended. */
export type ProgressWait = 'applied' | 'moved' | 'timeout';

interface Waiter {
  offset: bigint;
  cardId: string;
  settle(outcome: ProgressWait): void;
}

interface PartitionState {
  /** Every offset up to this one has been fetched by the stream (or read before the assignment began). */
  fetchedThrough: bigint;
  /** Offsets the request path appended itself and the stream has not fetched yet: their content is known. */
  appended: Set<bigint>;
  /** Fetched payments the engine has not applied yet, by card. */
  unapplied: Map<string, Set<bigint>>;
  waiters: Set<Waiter>;
}

/**
 * What the live engine has not applied yet, per owned partition of the
 * payments topic: the stream's fetched records waiting in its buffers (by
 * card) and the offsets it has not fetched at all. A request may apply its
 * payment at offset o once every offset before o is known and none of them
 * is an unapplied payment of the same card: then the card's features
 * include all of its earlier payments, however they arrived, while other
 * cards' payments never hold it back.
 */
export class PartitionProgress {
  private readonly partitions = new Map<number, PartitionState>();

  /** Partitions owned now (none while the task restores). */
  get owned(): number[] {
    return [...this.partitions.keys()].sort((a, b) => a - b);
  }

  owns(partition: number): boolean {
    return this.partitions.has(partition);
  }

  /** Drops every partition (a rebalance started): waiters learn their partition moved. */
  clear(): void {
    for (const state of this.partitions.values())
      for (const waiter of [...state.waiters]) waiter.settle('moved');
    this.partitions.clear();
  }

  /** Owns these partitions from the given next offsets on (where the stream starts reading them). */
  assign(nextOffsets: ReadonlyMap<number, bigint>): void {
    this.clear();
    for (const [partition, next] of nextOffsets) {
      this.partitions.set(partition, {
        fetchedThrough: next - 1n,
        appended: new Set(),
        unapplied: new Map(),
        waiters: new Set(),
      });
    }
  }

  /** The stream fetched a payment; `cardId` undefined when the engine has it already (the request path's own). */
  fetched(partition: number, offset: bigint, cardId: string | undefined): void {
    const state = this.partitions.get(partition);
    if (!state) return;
    if (offset > state.fetchedThrough) state.fetchedThrough = offset;
    state.appended.delete(offset);
    if (cardId !== undefined) {
      const offsets = state.unapplied.get(cardId) ?? new Set<bigint>();
      offsets.add(offset);
      state.unapplied.set(cardId, offsets);
    }
    this.wake(state);
  }

  /** The request path appended a payment at `offset` (it applies that payment itself). */
  appended(partition: number, offset: bigint): void {
    const state = this.partitions.get(partition);
    if (!state || offset <= state.fetchedThrough) return;
    state.appended.add(offset);
    this.wake(state);
  }

  /** The stream applied the payment at `offset` of `cardId`. */
  applied(partition: number, offset: bigint, cardId: string): void {
    const state = this.partitions.get(partition);
    const offsets = state?.unapplied.get(cardId);
    if (!state || !offsets?.delete(offset)) return;
    if (offsets.size === 0) state.unapplied.delete(cardId);
    this.wake(state);
  }

  /** Resolves once the earlier payments of `cardId` before `offset` are applied, the partition moves away, or `timeoutMs` passes. */
  waitForEarlier(
    partition: number,
    offset: bigint,
    cardId: string,
    timeoutMs: number,
  ): Promise<ProgressWait> {
    const state = this.partitions.get(partition);
    if (!state) return Promise.resolve('moved');
    if (ready(state, offset, cardId)) return Promise.resolve('applied');
    return new Promise((resolve) => {
      const waiter: Waiter = {
        offset,
        cardId,
        settle: (outcome) => {
          clearTimeout(timer);
          state.waiters.delete(waiter);
          resolve(outcome);
        },
      };
      const timer = setTimeout(() => waiter.settle('timeout'), timeoutMs);
      state.waiters.add(waiter);
    });
  }

  private wake(state: PartitionState): void {
    for (const waiter of [...state.waiters])
      if (ready(state, waiter.offset, waiter.cardId)) waiter.settle('applied');
  }
}

function ready(state: PartitionState, offset: bigint, cardId: string): boolean {
  let known = state.fetchedThrough;
  while (known < offset - 1n && state.appended.has(known + 1n)) known += 1n;
  if (known < offset - 1n) return false;
  for (const earlier of state.unapplied.get(cardId) ?? []) if (earlier < offset) return false;
  return true;
}
