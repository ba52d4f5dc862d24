/**
 * Lost and duplicated decisions, by transaction id: every transaction txn-api
 * accepted (answered 2xx) must end with exactly one pipeline decision on the
 * `decisions` topic. Decisions may arrive before the answer that accepts
 * their transaction (the answer is still on its way), so both sides are kept.
 */
export interface Reconciliation {
  accepted: number;
  /** Accepted transactions with exactly one decision. */
  decidedOnce: number;
  /** Accepted transactions with no decision. */
  lost: number;
  /** Extra decisions beyond the first, summed over accepted transactions. */
  duplicated: number;
  /** Accepted transactions with more than one decision. */
  duplicatedTransactions: number;
  /** Decisions of this run for transactions that were not accepted (the answer failed, yet it was produced). */
  unacknowledged: number;
  /** A few of the lost ids, to look up in the logs. */
  lostSample: string[];
}

const SAMPLE = 10;

/** The pure count, given the accepted ids and every decision's transaction id. */
export function reconcile(accepted: Iterable<string>, decided: Iterable<string>): Reconciliation {
  const counts = new Map<string, number>();
  for (const id of decided) counts.set(id, (counts.get(id) ?? 0) + 1);
  const acceptedSet = new Set(accepted);
  const result: Reconciliation = {
    accepted: acceptedSet.size,
    decidedOnce: 0,
    lost: 0,
    duplicated: 0,
    duplicatedTransactions: 0,
    unacknowledged: 0,
    lostSample: [],
  };
  for (const id of acceptedSet) {
    const n = counts.get(id) ?? 0;
    if (n === 0) {
      result.lost += 1;
      if (result.lostSample.length < SAMPLE) result.lostSample.push(id);
    } else if (n === 1) {
      result.decidedOnce += 1;
    } else {
      result.decidedOnce += 1;
      result.duplicated += n - 1;
      result.duplicatedTransactions += 1;
    }
  }
  for (const id of counts.keys()) if (!acceptedSet.has(id)) result.unacknowledged += 1;
  return result;
}

/** The same bookkeeping kept live during a run, so the drain can stop as soon as nothing is missing. */
export class DecisionLedger {
  private readonly acceptedIds = new Set<string>();
  private readonly counts = new Map<string, number>();
  private missing = 0;
  private waiters: Array<() => void> = [];

  /** @param idPrefix what this run's transaction ids start with; other decisions are ignored. */
  constructor(private readonly idPrefix: string) {}

  accept(id: string): void {
    if (this.acceptedIds.has(id)) return;
    this.acceptedIds.add(id);
    if (!this.counts.has(id)) this.missing += 1;
  }

  /** Records a decision read back; says whether it is this run's. */
  receive(id: string): boolean {
    if (!id.startsWith(this.idPrefix)) return false;
    const seen = this.counts.get(id) ?? 0;
    this.counts.set(id, seen + 1);
    if (seen === 0 && this.acceptedIds.has(id)) {
      this.missing -= 1;
      if (this.missing === 0) this.notify();
    }
    return true;
  }

  /** Accepted transactions still without a decision. */
  outstanding(): number {
    return this.missing;
  }

  settled(): Promise<void> {
    if (this.missing === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Waits for every accepted payment's decision, at most `timeoutMs`, then reconciles and counts
   * the result (`decisions_lost`, `_duplicated`, `_unacknowledged`): the end of every run that
   * reads the decisions topic.
   */
  async reconcileWithin(
    timeoutMs: number,
    metrics: { count(name: string, n?: number): void },
  ): Promise<Reconciliation> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.settled(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    const result = this.result();
    metrics.count('decisions_lost', result.lost);
    metrics.count('decisions_duplicated', result.duplicated);
    metrics.count('decisions_unacknowledged', result.unacknowledged);
    return result;
  }

  result(): Reconciliation {
    const decided: string[] = [];
    for (const [id, n] of this.counts) for (let i = 0; i < n; i++) decided.push(id);
    return reconcile(this.acceptedIds, decided);
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
