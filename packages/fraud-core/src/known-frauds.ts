import { DAY_MS } from './time.js';
import { HORIZON_MS } from './windows.js';

/** One chargeback as an entity remembers it: which payment, when it happened, when it was reported. */
export type KnownFraud = [transactionId: string, eventTime: number, reportedAt: number];

/**
 * Reported frauds on one entity (the Handbook's delayed terminal risk). A read
 * at time t counts frauds whose payment lies in the window ending at t *and*
 * whose chargeback was reported at or before t, so a label is never used
 * before it existed, whatever order the two topics are consumed in. Kept as
 * a list because chargebacks are rare (about 1 % of payments) and expire with
 * the longest window.
 */
export class KnownFrauds {
  private frauds: KnownFraud[] = [];
  /** Earliest payment time held: expiry has nothing to do while it is inside the horizon. */
  private oldestEventTime = Number.POSITIVE_INFINITY;

  /** Records a chargeback; false when this transaction was already recorded. */
  add(transactionId: string, eventTime: number, reportedAt: number): boolean {
    for (const fraud of this.frauds) if (fraud[0] === transactionId) return false;
    this.frauds.push([transactionId, eventTime, reportedAt]);
    this.oldestEventTime = Math.min(this.oldestEventTime, eventTime);
    return true;
  }

  countAt(time: number, spanMs: number): number {
    let count = 0;
    const from = time - spanMs;
    for (const [, eventTime, reportedAt] of this.frauds) {
      if (reportedAt <= time && eventTime > from && eventTime <= time) count += 1;
    }
    return count;
  }

  /**
   * Days from the latest such fraud's payment to `time` (-1: none in the span). A compromised
   * terminal keeps producing fraud, so its reported frauds are recent; a terminal that was merely
   * visited by a stolen card, or whose compromise is over, has older ones.
   */
  daysSinceLatestAt(time: number, spanMs: number): number {
    let latest = Number.NEGATIVE_INFINITY;
    const from = time - spanMs;
    for (const [, eventTime, reportedAt] of this.frauds) {
      if (reportedAt <= time && eventTime > from && eventTime <= time && eventTime > latest)
        latest = eventTime;
    }
    return latest === Number.NEGATIVE_INFINITY ? -1 : (time - latest) / DAY_MS;
  }

  /** Forgets frauds whose payment is older than the longest window before `time`. */
  expire(time: number): void {
    const cutoff = time - HORIZON_MS;
    if (this.oldestEventTime > cutoff) return;
    this.frauds = this.frauds.filter(([, eventTime]) => eventTime > cutoff);
    this.oldestEventTime = Math.min(...this.frauds.map(([, eventTime]) => eventTime));
  }

  toJSON(): KnownFraud[] {
    return this.frauds.map((fraud) => [...fraud] as KnownFraud);
  }

  static fromJSON(frauds: readonly KnownFraud[]): KnownFrauds {
    const known = new KnownFrauds();
    for (const [transactionId, eventTime, reportedAt] of frauds)
      known.add(transactionId, eventTime, reportedAt);
    return known;
  }
}
