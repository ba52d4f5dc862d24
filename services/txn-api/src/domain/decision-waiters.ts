import type { Decision } from '@mlsys/contracts';

export interface PendingDecision {
  /** The decision, or undefined once the deadline passed. */
  decision: Promise<Decision | undefined>;
  cancel(): void;
}

/**
 * Requests waiting for their transaction's decision to come back from the
 * pipeline. The decision consumer delivers every decision it reads; those
 * nobody waits for cost a map lookup.
 */
export class DecisionWaiters {
  private readonly waiting = new Map<string, Set<(decision: Decision | undefined) => void>>();

  get pending(): number {
    return this.waiting.size;
  }

  /** Registers before the transaction is published, so that even an instant decision is caught. */
  wait(transactionId: string, deadlineMs: number): PendingDecision {
    let settle!: (decision: Decision | undefined) => void;
    const decision = new Promise<Decision | undefined>((resolve) => {
      settle = resolve;
    });
    const timer = setTimeout(() => done(undefined), deadlineMs);
    const done = (value: Decision | undefined) => {
      clearTimeout(timer);
      const listeners = this.waiting.get(transactionId);
      listeners?.delete(done);
      if (listeners?.size === 0) this.waiting.delete(transactionId);
      settle(value);
    };
    const listeners = this.waiting.get(transactionId) ?? new Set();
    listeners.add(done);
    this.waiting.set(transactionId, listeners);
    return { decision, cancel: () => done(undefined) };
  }

  deliver(decisions: readonly Decision[]): void {
    if (this.waiting.size === 0) return;
    for (const decision of decisions) {
      for (const done of this.waiting.get(decision.transactionId) ?? []) done(decision);
    }
  }
}
