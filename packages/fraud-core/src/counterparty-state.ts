import { Activity, WINDOW_7D, WINDOW_30D } from './activity.js';
import { DistinctWithin, ExpiringMap } from './expiring-map.js';
import type { CounterpartyKind, CounterpartyLayout } from './features.js';
import { type KnownFraud, KnownFrauds } from './known-frauds.js';
import { DAY_MS } from './time.js';
import { HORIZON_MS } from './windows.js';

export interface CounterpartySnapshot {
  v: 1;
  kind: CounterpartyKind;
  activity: number[][];
  /** Transaction ids applied within the horizon, with their event time: the idempotency keys. */
  seen: [string, number][];
  cards1d: [string, number][];
  frauds: KnownFraud[];
}

/**
 * What the pipeline keeps about one terminal, device or IP: its activity
 * windows, the distinct cards it served in a day, and the chargebacks
 * reported on its payments. Self-contained (including its own idempotency
 * keys) so that a deployment may keep these entities in a consumer keyed by
 * terminal, device or IP instead of next to the card.
 */
export class CounterpartyState {
  private newest = Number.NEGATIVE_INFINITY;

  private constructor(
    private readonly activity: Activity,
    private readonly seen: ExpiringMap<number>,
    private readonly cards1d: DistinctWithin,
    private readonly frauds: KnownFrauds,
  ) {
    for (const [, time] of seen) if (time > this.newest) this.newest = time;
  }

  static empty(): CounterpartyState {
    return new CounterpartyState(Activity.empty(), seenMap(), new DistinctWithin(DAY_MS), new KnownFrauds());
  }

  /** Applies one payment; false (and no change) when this transaction id was already applied. */
  record(transactionId: string, time: number, cents: number, cardId: string): boolean {
    if (this.seen.has(transactionId)) return false;
    this.seen.touch(transactionId, time);
    this.activity.add(time, cents);
    this.cards1d.add(cardId, time);
    if (time > this.newest) {
      this.newest = time;
      this.seen.expire(time - HORIZON_MS);
      this.frauds.expire(time);
    }
    return true;
  }

  /** A chargeback on one of this entity's payments; false when already known. */
  addKnownFraud(transactionId: string, eventTime: number, reportedAt: number): boolean {
    return this.frauds.add(transactionId, eventTime, reportedAt);
  }

  /** Writes this entity's block of features, as seen at `time`. */
  write(time: number, out: Float64Array, layout: CounterpartyLayout): void {
    this.activity.writeAt(time, out, layout.nbTx, layout.sumAmount);
    out[layout.distinctCards1d] = this.cards1d.countAt(time);
    const frauds7d = this.frauds.countAt(time, 7 * DAY_MS);
    const frauds30d = this.frauds.countAt(time, 30 * DAY_MS);
    out[layout.knownFrauds7d] = frauds7d;
    out[layout.knownFrauds30d] = frauds30d;
    out[layout.fraudRatio7d] = ratio(frauds7d, this.activity.countAt(WINDOW_7D, time));
    out[layout.fraudRatio30d] = ratio(frauds30d, this.activity.countAt(WINDOW_30D, time));
  }

  toSnapshot(kind: CounterpartyKind): CounterpartySnapshot {
    return {
      v: 1,
      kind,
      activity: this.activity.toJSON(),
      seen: [...this.seen],
      cards1d: this.cards1d.toJSON(),
      frauds: this.frauds.toJSON(),
    };
  }

  static fromSnapshot(snapshot: CounterpartySnapshot): CounterpartyState {
    const seen = seenMap();
    for (const [id, time] of snapshot.seen) seen.touch(id, time);
    return new CounterpartyState(
      Activity.fromJSON(snapshot.activity),
      seen,
      DistinctWithin.fromJSON(DAY_MS, snapshot.cards1d),
      KnownFrauds.fromJSON(snapshot.frauds),
    );
  }
}

const seenMap = () => new ExpiringMap<number>((time) => time);

/** Share of payments reported as fraud; 0 when there were none (nothing known is not risk). */
export const ratio = (frauds: number, payments: number): number => (payments > 0 ? frauds / payments : 0);
