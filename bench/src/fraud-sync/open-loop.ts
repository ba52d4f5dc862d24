import type { Transaction } from '@mlsys/contracts';
import type { MixedPayment } from './payment-mix.js';
import type { Phases } from './phases.js';
import type { Sample } from './rows.js';

/**
 * One request: resolves with what the 2xx answer was (full: a `full` decision; null where there
 * are no modes) and the phases its `Server-Timing` named or, when none came, with a short stable
 * reason (`500 internal_error`, `timeout`).
 */
export type Call = (
  transaction: Transaction,
) => Promise<{ full: boolean | null; phases?: Phases; source?: string } | { failed: string }>;

export interface OpenLoopPlan {
  rate: number;
  seconds: number;
  /** The next payment to send (its card fresh or returning). */
  next: () => MixedPayment;
  /** A transaction id no earlier request of the run used. */
  nextId: () => string;
  call: Call;
  /** Called about once a second while sending, with the requests sent and answered so far. */
  progress?: (sent: number, answered: number, total: number) => void;
}

export interface OpenLoopResult {
  samples: Sample[];
  /** From the first due time to the last answer. */
  spanMs: number;
}

/**
 * Open model: request i is due at t0 + i / rate and is sent then, however
 * many earlier ones are still unanswered; its latency runs from the due time
 * and its event time is the due time (wall clock), so a queue in the
 * services or in this generator shows in the figures instead of slowing the
 * arrivals down.
 */
export async function openLoop(plan: OpenLoopPlan): Promise<OpenLoopResult> {
  const total = Math.round(plan.rate * plan.seconds);
  const interval = 1000 / plan.rate;
  // Each payment is made while waiting for its due time, not after it (the first one can take the
  // simulator a few hundred ms to start).
  let upcoming = plan.next();
  const t0 = performance.now() + 20;
  let answered = 0;
  let lastAnswer = t0;
  let reportedAt = t0;
  const pending: Promise<Sample>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait > 0.5) await new Promise((resolve) => setTimeout(resolve, wait));
    const { payment, returning } = upcoming;
    const transaction: Transaction = {
      ...payment,
      transactionId: plan.nextId(),
      eventTime: Math.round(performance.timeOrigin + due),
    };
    const sendLagMs = performance.now() - due;
    const settle = (answer: Awaited<ReturnType<Call>>): Sample => {
      const now = performance.now();
      answered += 1;
      lastAnswer = Math.max(lastAnswer, now);
      const latencyMs = now - due;
      return 'failed' in answer
        ? { latencyMs, ok: false, full: null, failure: answer.failed, sendLagMs, returning }
        : {
            latencyMs,
            ok: true,
            full: answer.full,
            sendLagMs,
            returning,
            phases: answer.phases,
            source: answer.source,
          };
    };
    pending.push(
      plan
        .call(transaction)
        .then(settle, (error: unknown) => settle({ failed: `unexpected: ${(error as Error).message}` })),
    );
    if (i + 1 < total) upcoming = plan.next();
    if (plan.progress && due - reportedAt >= 1000) {
      reportedAt = due;
      plan.progress(i + 1, answered, total);
    }
  }
  const samples = await Promise.all(pending);
  plan.progress?.(total, answered, total);
  return { samples, spanMs: lastAnswer - t0 };
}
