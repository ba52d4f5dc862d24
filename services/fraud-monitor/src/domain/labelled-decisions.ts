import type { Chargeback, Decision, QualityWindow, ReliabilityBin } from '@mlsys/contracts';
import type { Window } from './windows.js';

interface Entry {
  transactionId: string;
  eventTime: number;
  score: number;
  flagged: boolean;
  fraud: boolean;
}

export interface LabelledDecisionsOptions {
  /** Decisions older than this before the stream time are forgotten (the longest window it reports). */
  retainMs: number;
  /** Chargebacks for decisions not seen (yet) are kept this long. */
  pendingChargebackMs: number;
}

const ratio = (numerator: number, denominator: number) =>
  denominator === 0 ? null : numerator / denominator;

/**
 * Decisions joined with their chargebacks (the labels, which arrive days
 * later, possibly before the decision is read when the topics are read at
 * different speeds). A decision counts as fraud once its chargeback is in;
 * until then it counts as legitimate, so recall over recent windows rises
 * as labels mature. Time is the stream's (latest decision event time), so a
 * replay reports what the live run did. Both inputs are idempotent by
 * transaction id: at-least-once delivery cannot double count.
 */
export class LabelledDecisions {
  /** Arrival order, which is event-time order up to the pipeline's lateness. */
  private entries: Entry[] = [];
  private head = 0;
  private readonly byId = new Map<string, Entry>();
  /** Chargebacks whose decision has not been seen: transaction id -> report time. */
  private readonly pending = new Map<string, number>();
  private latest: number | null = null;

  constructor(private readonly options: LabelledDecisionsOptions) {}

  get streamTime(): number | null {
    return this.latest;
  }

  get size(): number {
    return this.byId.size;
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

  addChargeback(chargeback: Chargeback): void {
    const entry = this.byId.get(chargeback.transactionId);
    if (entry) entry.fraud = true;
    else this.pending.set(chargeback.transactionId, chargeback.reportedAt);
  }

  /** Precision and recall of the decisions with event time in (stream time - window, stream time]. */
  quality(window: Window): QualityWindow {
    let decisions = 0;
    let flagged = 0;
    let frauds = 0;
    let truePositives = 0;
    for (const entry of this.inWindow(window)) {
      decisions += 1;
      if (entry.flagged) flagged += 1;
      if (entry.fraud) frauds += 1;
      if (entry.flagged && entry.fraud) truePositives += 1;
    }
    return {
      window: window.name,
      decisions,
      flagged,
      frauds,
      truePositives,
      precision: ratio(truePositives, flagged),
      recall: ratio(truePositives, frauds),
    };
  }

  /**
   * Reliability of the calibrated scores: in each of `bins` equal-width score
   * bins, the mean score against the observed fraud rate, and their
   * count-weighted mean gap (expected calibration error).
   */
  calibration(
    window: Window,
    bins: number,
  ): { labelled: number; bins: ReliabilityBin[]; ece: number | null } {
    const count = new Array<number>(bins).fill(0);
    const scores = new Array<number>(bins).fill(0);
    const frauds = new Array<number>(bins).fill(0);
    let labelled = 0;
    for (const entry of this.inWindow(window)) {
      const bin = Math.min(bins - 1, Math.floor(entry.score * bins));
      count[bin]! += 1;
      scores[bin]! += entry.score;
      if (entry.fraud) frauds[bin]! += 1;
      labelled += 1;
    }
    let ece = 0;
    const reliability = count.map((n, b): ReliabilityBin => {
      const meanScore = ratio(scores[b]!, n);
      const fraudRate = ratio(frauds[b]!, n);
      if (meanScore !== null && fraudRate !== null) ece += (n / labelled) * Math.abs(fraudRate - meanScore);
      return { lower: b / bins, upper: (b + 1) / bins, count: n, meanScore, fraudRate };
    });
    return { labelled, bins: reliability, ece: labelled === 0 ? null : ece };
  }

  private *inWindow(window: Window): Generator<Entry> {
    if (this.latest === null) return;
    const from = this.latest - window.ms;
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      if (entry.eventTime > from && entry.eventTime <= this.latest) yield entry;
    }
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
    const pendingCutoff = now - this.options.pendingChargebackMs;
    for (const [id, reportedAt] of this.pending) if (reportedAt <= pendingCutoff) this.pending.delete(id);
  }
}
