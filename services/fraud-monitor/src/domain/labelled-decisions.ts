import type { Chargeback, Decision } from '@mlsys/contracts';
import { DAY, type DelayCounts, delayDay, delayDayCount, paymentDay } from './label-delay.js';
import { countDecision, emptyCounts, type WindowCounts } from './window-counts.js';
import type { AgeRange } from './windows.js';

interface Entry {
  transactionId: string;
  eventTime: number;
  score: number;
  flagged: boolean;
  fraud: boolean;
}

export interface LabelledDecisionsOptions {
  /** Decisions older than this before the stream time are forgotten (the oldest age it reports). */
  retainMs: number;
  /** How long after a payment its chargeback may come: waiting chargebacks and delay counts are kept this long. */
  labelHorizonMs: number;
}

/**
 * Decisions joined with their chargebacks (the labels, which arrive days
 * later, possibly before the decision is read when the topics are read at
 * different speeds). A decision counts as fraud once its chargeback is in;
 * until then it counts as legitimate, which is why a range's quality is only
 * judged once enough of its labels are expected to have come (label
 * coverage, from the delays counted here). Time is the stream's (latest
 * decision event time), so a replay reports what the live run did. Both
 * inputs are idempotent by transaction id: at-least-once delivery cannot
 * double count.
 */
export class LabelledDecisions {
  /** Arrival order, which is event-time order up to the pipeline's lateness. */
  private entries: Entry[] = [];
  private head = 0;
  private readonly byId = new Map<string, Entry>();
  /** Chargebacks whose decision has not been seen: transaction id -> report time. */
  private readonly pending = new Map<string, number>();
  /** Chargebacks by payment day and whole days of delay (`DelayCounts`). */
  private readonly delays = new Map<number, number[]>();
  private latest: number | null = null;
  private latestLabel: number | null = null;
  private oldestDelayDay = -Infinity;

  constructor(private readonly options: LabelledDecisionsOptions) {}

  get streamTime(): number | null {
    return this.latest;
  }

  /** Latest chargeback report time read. */
  get labelTime(): number | null {
    return this.latestLabel;
  }

  get size(): number {
    return this.byId.size;
  }

  get delayCounts(): DelayCounts {
    return this.delays;
  }

  addDecision(decision: Decision): void {
    if (this.byId.has(decision.transactionId)) return;
    const entry: Entry = {
      transactionId: decision.transactionId,
      eventTime: decision.eventTime,
      score: decision.score,
      flagged: decision.decision !== 'approve',
      fraud: this.pending.delete(decision.transactionId),
    };
    this.entries.push(entry);
    this.byId.set(entry.transactionId, entry);
    if (this.latest === null || decision.eventTime > this.latest) {
      this.latest = decision.eventTime;
      this.expire(decision.eventTime);
    }
  }

  /** Labels its decision (or waits for it) and counts its delay, the first time it is read. */
  addChargeback(chargeback: Chargeback): void {
    const entry = this.byId.get(chargeback.transactionId);
    if (entry) {
      if (entry.fraud) return;
      entry.fraud = true;
    } else {
      if (this.pending.has(chargeback.transactionId)) return;
      this.pending.set(chargeback.transactionId, chargeback.reportedAt);
    }
    const day = paymentDay(chargeback.eventTime);
    let byDelay = this.delays.get(day);
    if (!byDelay) {
      byDelay = new Array<number>(delayDayCount(this.options.labelHorizonMs)).fill(0);
      this.delays.set(day, byDelay);
    }
    byDelay[delayDay(chargeback, this.options.labelHorizonMs)]! += 1;
    if (this.latestLabel === null || chargeback.reportedAt > this.latestLabel) {
      this.latestLabel = chargeback.reportedAt;
      // Reports read the horizon and two days of payment days (`delayDaysRead`); older ones are dropped.
      const oldest = paymentDay(chargeback.reportedAt - this.options.labelHorizonMs - 2 * DAY);
      if (oldest > this.oldestDelayDay) {
        this.oldestDelayDay = oldest;
        for (const kept of this.delays.keys()) if (kept < oldest) this.delays.delete(kept);
      }
    }
  }

  /** Tallies of the decisions aged [range.fromMs, range.toMs) at the stream time, weighed by `coverage`. */
  counts(range: AgeRange, bins: number, coverage: (eventTime: number) => number): WindowCounts {
    const counts = emptyCounts(bins);
    if (this.latest === null) return counts;
    const from = this.latest - range.toMs;
    const to = this.latest - range.fromMs;
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      if (entry.eventTime > from && entry.eventTime <= to) {
        countDecision(counts, entry.score, entry.flagged, entry.fraud, coverage(entry.eventTime));
      }
    }
    return counts;
  }

  private expire(now: number): void {
    const cutoff = now - this.options.retainMs;
    while (this.head < this.entries.length && this.entries[this.head]!.eventTime <= cutoff) {
      this.byId.delete(this.entries[this.head]!.transactionId);
      this.head += 1;
    }
    if (this.head > 4096 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    const pendingCutoff = now - this.options.labelHorizonMs;
    for (const [id, reportedAt] of this.pending) if (reportedAt <= pendingCutoff) this.pending.delete(id);
  }
}
