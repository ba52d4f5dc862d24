import type { Transaction } from '@mlsys/contracts';
import { Activity, WINDOW_30D } from './activity.js';
import { ratio } from './counterparty-state.js';
import { DistinctWithin, RecentlyUsed } from './expiring-state.js';
import { CARD_LAYOUT } from './features.js';
import { type KnownFraud, KnownFrauds } from './known-frauds.js';
import { type LoggedPayment, PaymentLog, type PaymentRow } from './payment-log.js';
import { SPIKE_RATIO, SpikeHistory } from './spike-history.js';
import type { TerminalLocation } from './terminal-directory.js';
import { DAY_MS, SECOND_MS } from './time.js';
import { HORIZON_MS } from './windows.js';

/** How many of a card's devices (and IPs) are remembered as "known"; older ones count as new again. */
export const KNOWN_DEVICES_PER_CARD = 32;

export interface CardSnapshot {
  v: 1;
  kind: 'card';
  activity: number[][];
  payments: PaymentRow[];
  terminals1d: [string, number][];
  devices1d: [string, number][];
  knownDevices: string[];
  knownIps: string[];
  /** Lifetime payment count and cents: the card's usual amount. */
  lifetime: [count: number, cents: number];
  /** Located payments and the sums of their coordinates: the card's usual place. */
  home: [count: number, sumX: number, sumY: number];
  lastTxTime: number | null;
  frauds: KnownFraud[];
  /** Buckets of the 7- and 30-day windows of earlier spikes (payments >= SPIKE_RATIO x usual). */
  spikes: number[][];
}

/** Everything the pipeline keeps about one card (the Handbook's customer). */
export class CardState {
  /** Bookkeeping for FraudFeatureEngine.takeChanged: the batch in which this entity last changed. */
  changedInBatch = -1;

  private constructor(
    private readonly activity: Activity,
    private readonly payments: PaymentLog,
    private readonly terminals1d: DistinctWithin,
    private readonly devices1d: DistinctWithin,
    private readonly knownDevices: RecentlyUsed,
    private readonly knownIps: RecentlyUsed,
    private readonly lifetime: [number, number],
    private readonly home: [number, number, number],
    private lastTxTime: number | null,
    private readonly frauds: KnownFrauds,
    private readonly spikes: SpikeHistory,
    /** Latest event time applied: expiry runs when it moves. */
    private newest: number,
  ) {}

  static empty(): CardState {
    return new CardState(
      Activity.empty(),
      new PaymentLog(),
      new DistinctWithin(DAY_MS),
      new DistinctWithin(DAY_MS),
      new RecentlyUsed(KNOWN_DEVICES_PER_CARD),
      new RecentlyUsed(KNOWN_DEVICES_PER_CARD),
      [0, 0],
      [0, 0, 0],
      null,
      new KnownFrauds(),
      SpikeHistory.empty(),
      Number.NEGATIVE_INFINITY,
    );
  }

  has(transactionId: string): boolean {
    return this.payments.has(transactionId);
  }

  payment(transactionId: string): LoggedPayment | undefined {
    return this.payments.get(transactionId);
  }

  /**
   * Applies one payment and writes the card's features into `out`. Features
   * that compare the payment with the card's habits (amount, place, device,
   * time since last) use the state *before* it; windowed counts include it.
   * The caller has checked `has()` first.
   */
  record(txn: Transaction, cents: number, location: TerminalLocation | undefined, out: Float64Array): void {
    const time = txn.eventTime;
    const deviceId = txn.deviceId ?? null;
    const ip = txn.ip ?? null;
    this.writeHabits(txn, location, out);

    this.payments.add(txn.transactionId, time, txn.terminalId, deviceId, ip);
    this.activity.add(time, cents);
    this.terminals1d.add(txn.terminalId, time);
    if (deviceId !== null) {
      this.devices1d.add(deviceId, time);
      this.knownDevices.use(deviceId);
    }
    if (ip !== null) this.knownIps.use(ip);
    this.lifetime[0] += 1;
    this.lifetime[1] += cents;
    if (location) {
      this.home[0] += 1;
      this.home[1] += location.x;
      this.home[2] += location.y;
    }
    if (this.lastTxTime === null || time > this.lastTxTime) this.lastTxTime = time;
    if (out[CARD_LAYOUT.amountToMeanRatio]! >= SPIKE_RATIO) this.spikes.add(time);
    if (time > this.newest) {
      this.newest = time;
      this.payments.expire(time - HORIZON_MS);
      this.frauds.expire(time);
    }

    this.activity.writeAt(time, out, CARD_LAYOUT.nbTx, CARD_LAYOUT.sumAmount);
    out[CARD_LAYOUT.distinctTerminals1d] = this.terminals1d.countAt(time);
    out[CARD_LAYOUT.distinctDevices1d] = this.devices1d.countAt(time);
    const frauds30d = this.frauds.countAt(time, 30 * DAY_MS);
    out[CARD_LAYOUT.knownFrauds30d] = frauds30d;
    out[CARD_LAYOUT.fraudRatio30d] = ratio(frauds30d, this.activity.countAt(WINDOW_30D, time));
    out[CARD_LAYOUT.daysSinceKnownFraud] = this.frauds.daysSinceLatestAt(time, 30 * DAY_MS);
  }

  /** Marks a known, not yet reported payment as charged back (the caller checked `payment()`). */
  markReported(payment: LoggedPayment, transactionId: string, reportedAt: number): void {
    this.payments.markReported(transactionId);
    this.frauds.add(transactionId, payment.time, reportedAt);
  }

  toSnapshot(): CardSnapshot {
    return {
      v: 1,
      kind: 'card',
      activity: this.activity.toJSON(),
      payments: this.payments.toJSON(),
      terminals1d: this.terminals1d.toJSON(),
      devices1d: this.devices1d.toJSON(),
      knownDevices: this.knownDevices.toJSON(),
      knownIps: this.knownIps.toJSON(),
      lifetime: [...this.lifetime],
      home: [...this.home],
      lastTxTime: this.lastTxTime,
      frauds: this.frauds.toJSON(),
      spikes: this.spikes.toJSON(),
    };
  }

  static fromSnapshot(snapshot: CardSnapshot): CardState {
    return new CardState(
      Activity.fromJSON(snapshot.activity),
      PaymentLog.fromJSON(snapshot.payments),
      DistinctWithin.fromJSON(DAY_MS, snapshot.terminals1d),
      DistinctWithin.fromJSON(DAY_MS, snapshot.devices1d),
      RecentlyUsed.fromJSON(KNOWN_DEVICES_PER_CARD, snapshot.knownDevices),
      RecentlyUsed.fromJSON(KNOWN_DEVICES_PER_CARD, snapshot.knownIps),
      [...snapshot.lifetime],
      [...snapshot.home],
      snapshot.lastTxTime,
      KnownFrauds.fromJSON(snapshot.frauds),
      SpikeHistory.fromJSON(snapshot.spikes),
      Math.max(Number.NEGATIVE_INFINITY, ...snapshot.payments.map(([, time]) => time)),
    );
  }

  /** The features comparing this payment with the card's habits so far (-1: no history yet), earlier spikes included. */
  private writeHabits(txn: Transaction, location: TerminalLocation | undefined, out: Float64Array): void {
    const [count, cents] = this.lifetime;
    out[CARD_LAYOUT.amountToMeanRatio] = count > 0 ? txn.amount / (cents / count / 100) : -1;
    out[CARD_LAYOUT.secondsSinceLastTx] =
      this.lastTxTime === null ? -1 : Math.max(0, txn.eventTime - this.lastTxTime) / SECOND_MS;
    const [located, sumX, sumY] = this.home;
    out[CARD_LAYOUT.distanceFromHome] =
      location && located > 0 ? Math.hypot(location.x - sumX / located, location.y - sumY / located) : -1;
    out[CARD_LAYOUT.newDevice] = txn.deviceId !== undefined && !this.knownDevices.has(txn.deviceId) ? 1 : 0;
    out[CARD_LAYOUT.newIp] = txn.ip !== undefined && !this.knownIps.has(txn.ip) ? 1 : 0;
    out[CARD_LAYOUT.amountSpikes7d] = this.spikes.countAt(0, txn.eventTime);
    out[CARD_LAYOUT.amountSpikes30d] = this.spikes.countAt(1, txn.eventTime);
  }
}
