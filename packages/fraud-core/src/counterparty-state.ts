import { Activity, WINDOW_7D, WINDOW_30D } from './activity.js';
import { DistinctWithin } from './expiring-state.js';
import type { CounterpartyKind, CounterpartyLayout } from './features.js';
import { type KnownFraud, KnownFrauds } from './known-frauds.js';
import { DAY_MS } from './time.js';

export interface CounterpartySnapshot {
  v: 1;
  kind: CounterpartyKind;
  activity: number[][];
  /** Distinct cards in the last day (devices and IPs only), or null. */
  cards1d: [string, number][] | null;
  frauds: KnownFraud[];
  newest: number | null;
}

/**
 * What the pipeline keeps about one terminal, device or IP: its activity
 * windows, the distinct cards it served in a day (devices and IPs: one
 * device paying for many cards is a fraud farm; for a terminal it is just
 * its trade), and the chargebacks reported on its payments.
 */
export class CounterpartyState {
  /** Bookkeeping for FraudFeatureEngine.takeChanged: the batch in which this entity last changed. */
  changedInBatch = -1;

  private constructor(
    private readonly activity: Activity,
    private readonly cards1d: DistinctWithin | null,
    private readonly frauds: KnownFrauds,
    /** Latest event time applied: expiry runs when it moves. */
    private newest: number,
  ) {}

  static empty(tracksCards: boolean): CounterpartyState {
    return new CounterpartyState(
      Activity.empty(),
      tracksCards ? new DistinctWithin(DAY_MS) : null,
      new KnownFrauds(),
      Number.NEGATIVE_INFINITY,
    );
  }

  record(time: number, cents: number, cardId: string): void {
    this.activity.add(time, cents);
    this.cards1d?.add(cardId, time);
    if (time > this.newest) {
      this.newest = time;
      this.frauds.expire(time);
    }
  }

  /** A chargeback on one of this entity's payments; false when already known. */
  addKnownFraud(transactionId: string, eventTime: number, reportedAt: number): boolean {
    return this.frauds.add(transactionId, eventTime, reportedAt);
  }

  /** Writes this entity's block of features, as seen at `time`. */
  write(time: number, out: Float64Array, layout: CounterpartyLayout): void {
    this.activity.writeAt(time, out, layout.nbTx, layout.sumAmount);
    if (layout.distinctCards1d !== null && this.cards1d)
      out[layout.distinctCards1d] = this.cards1d.countAt(time);
    const frauds7d = this.frauds.countAt(time, 7 * DAY_MS);
    const frauds30d = this.frauds.countAt(time, 30 * DAY_MS);
    out[layout.knownFrauds7d] = frauds7d;
    out[layout.knownFrauds30d] = frauds30d;
    out[layout.fraudRatio7d] = ratio(frauds7d, this.activity.countAt(WINDOW_7D, time));
    out[layout.fraudRatio30d] = ratio(frauds30d, this.activity.countAt(WINDOW_30D, time));
    out[layout.daysSinceKnownFraud] = this.frauds.daysSinceLatestAt(time, 30 * DAY_MS);
  }

  toSnapshot(kind: CounterpartyKind): CounterpartySnapshot {
    return {
      v: 1,
      kind,
      activity: this.activity.toJSON(),
      cards1d: this.cards1d?.toJSON() ?? null,
      frauds: this.frauds.toJSON(),
      newest: Number.isFinite(this.newest) ? this.newest : null,
    };
  }

  static fromSnapshot(snapshot: CounterpartySnapshot): CounterpartyState {
    return new CounterpartyState(
      Activity.fromJSON(snapshot.activity),
      snapshot.cards1d ? DistinctWithin.fromJSON(DAY_MS, snapshot.cards1d) : null,
      KnownFrauds.fromJSON(snapshot.frauds),
      snapshot.newest ?? Number.NEGATIVE_INFINITY,
    );
  }
}

/** Share of payments reported as fraud; 0 when there were none (nothing known is not risk). */
export const ratio = (frauds: number, payments: number): number => (payments > 0 ? frauds / payments : 0);
