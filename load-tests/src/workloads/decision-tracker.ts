/**
 * Matches the decisions read back from Kafka with the transactions this run
 * produced: the first decision per transaction counts, later ones are
 * duplicates, and a produced transaction that never gets one is lost.
 * Transactions are numbered, so the bookkeeping is two arrays, not a map of ids.
 */
export class DecisionTracker {
  private readonly produced: boolean[] = [];
  private readonly decided: number[] = [];
  private producedCount = 0;
  private decidedProduced = 0;
  private waiters: Array<() => void> = [];

  /** @param idPrefix what every transaction id of this run starts with, e.g. `lt1a2b-`. */
  constructor(private readonly idPrefix: string) {}

  /** The transaction with this number is in Kafka (its produce was acknowledged). */
  markProduced(seq: number): void {
    if (this.produced[seq]) return;
    this.produced[seq] = true;
    this.producedCount += 1;
    if ((this.decided[seq] ?? 0) > 0) this.decidedProduced += 1;
  }

  /**
   * Records a decision; says whether it is this run's first for the
   * transaction, a duplicate, or someone else's (another run or producer).
   */
  receive(transactionId: string): 'first' | 'duplicate' | 'foreign' {
    if (!transactionId.startsWith(this.idPrefix)) return 'foreign';
    const seq = Number(transactionId.slice(this.idPrefix.length));
    if (!Number.isInteger(seq) || seq < 0) return 'foreign';
    const seen = this.decided[seq] ?? 0;
    this.decided[seq] = seen + 1;
    if (seen > 0) return 'duplicate';
    if (this.produced[seq]) {
      this.decidedProduced += 1;
      this.notifyIfSettled();
    }
    return 'first';
  }

  /** Produced transactions still waiting for their decision. */
  outstanding(): number {
    return this.producedCount - this.decidedProduced;
  }

  /** Produced transactions, each with whether it was decided. */
  *outcomes(): Generator<boolean> {
    for (let seq = 0; seq < this.produced.length; seq++) {
      if (this.produced[seq]) yield (this.decided[seq] ?? 0) > 0;
    }
  }

  /** Resolves once every produced transaction has its decision. */
  settled(): Promise<void> {
    if (this.outstanding() === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notifyIfSettled(): void {
    if (this.outstanding() > 0 || this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
