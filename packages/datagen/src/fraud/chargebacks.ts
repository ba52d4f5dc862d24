import type { Chargeback, Transaction } from '@mlsys/contracts';
import type { Random } from '../random.js';
import type { FraudScenario } from './labels.js';

const DAY_MS = 86_400_000;

/**
 * When, if ever, a cardholder disputes a fraudulent payment. Statements and
 * notifications make most disputes come within days to a few weeks:
 * log-normal delay, median 7 days (10 % under ~3 days, 10 % over ~15),
 * bounded to [1, 90] days. Some fraud is never disputed, mostly the tiny
 * card-testing charges nobody notices.
 */
export const CHARGEBACK_DELAY = {
  medianDays: 7,
  logStd: 0.6,
  minDays: 1,
  maxDays: 90,
  neverReportedShare: 0.05,
  neverReportedShareBelow5: 0.5,
} as const;

/** Chargebacks waiting for their report time, earliest first (a binary min-heap on reportedAt). */
export class ChargebackQueue {
  private readonly heap: Chargeback[] = [];

  constructor(private readonly random: Random) {}

  /** Draws whether and when this fraud is disputed, and queues the chargeback. */
  schedule(txn: Transaction, scenario: FraudScenario): void {
    const neverShare =
      txn.amount < 5 ? CHARGEBACK_DELAY.neverReportedShareBelow5 : CHARGEBACK_DELAY.neverReportedShare;
    if (this.random.float() < neverShare) return;
    const days = Math.exp(
      Math.log(CHARGEBACK_DELAY.medianDays) + CHARGEBACK_DELAY.logStd * this.random.normal(),
    );
    const delay = Math.min(CHARGEBACK_DELAY.maxDays, Math.max(CHARGEBACK_DELAY.minDays, days)) * DAY_MS;
    this.push({
      transactionId: txn.transactionId,
      cardId: txn.cardId,
      eventTime: txn.eventTime,
      reportedAt: txn.eventTime + Math.round(delay),
      scenario,
    });
  }

  /** Removes and returns the chargebacks reported at or before `time`, in report order. */
  *due(time: number): Generator<Chargeback> {
    while (this.heap.length > 0 && this.heap[0]!.reportedAt <= time) yield this.pop();
  }

  *drain(): Generator<Chargeback> {
    while (this.heap.length > 0) yield this.pop();
  }

  private push(chargeback: Chargeback): void {
    const heap = this.heap;
    heap.push(chargeback);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Chargeback {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && earlier(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && earlier(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }
}

/** Report time, then transaction id: a total order, so ties never depend on heap internals. */
const earlier = (a: Chargeback, b: Chargeback): boolean =>
  a.reportedAt < b.reportedAt || (a.reportedAt === b.reportedAt && a.transactionId < b.transactionId);
