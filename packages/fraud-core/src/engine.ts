import type { Chargeback, Transaction } from '@mlsys/contracts';
import { type CardSnapshot, CardState } from './card-state.js';
import { type CounterpartySnapshot, CounterpartyState } from './counterparty-state.js';
import {
  COUNTERPARTY_KINDS,
  type CounterpartyKind,
  type CounterpartyLayout,
  counterpartyLayout,
  type FeatureVector,
  newFeatureVector,
  TRANSACTION_LAYOUT,
} from './features.js';
import { HIGH_RISK_MERCHANT_CATEGORIES } from './merchant-categories.js';
import type { TerminalDirectory } from './terminal-directory.js';
import { DAY_MS, HOUR_MS, toCents } from './time.js';

export type EntityKind = 'card' | CounterpartyKind;
export const ENTITY_KINDS: readonly EntityKind[] = ['card', ...COUNTERPARTY_KINDS];

/** One keyed piece of state: what a service snapshots, restores and partitions by. */
export interface EntityRef {
  kind: EntityKind;
  id: string;
}

export type EntitySnapshot = CardSnapshot | CounterpartySnapshot;

export type ApplyResult = { status: 'applied'; features: FeatureVector } | { status: 'duplicate' };

/** `unknown-transaction`: the card holds no such payment within the horizon (too old to change a window). */
export type ChargebackResult = 'applied' | 'duplicate' | 'unknown-transaction';

export interface FeatureEngineOptions {
  /** Terminal coordinates, for the card's distance from home; unknown terminals give -1. */
  terminals: TerminalDirectory;
}

const LAYOUTS: Record<CounterpartyKind, CounterpartyLayout> = {
  terminal: counterpartyLayout('terminal'),
  device: counterpartyLayout('device'),
  ip: counterpartyLayout('ip'),
};

type Changeable = { changedInBatch: number };

/**
 * The fraud features of one stream, computed the same way online (the
 * feature-engine, one instance per Kafka partition of the card-keyed topic)
 * and offline (training replay). Deterministic: the same events in the same
 * order give the same vectors and the same snapshots.
 *
 * Idempotent per transaction id within the horizon (30 days): the card keeps
 * the ids of its payments (it needs them anyway to credit chargebacks), and
 * a payment the card already holds changes no entity. Card, terminal, device
 * and IP state move together in one `apply`, so a service that snapshots
 * every changed entity with the offset it covers keeps them consistent.
 */
export class FraudFeatureEngine {
  private readonly cards = new Map<string, CardState>();
  private readonly counterparties: Record<CounterpartyKind, Map<string, CounterpartyState>> = {
    terminal: new Map(),
    device: new Map(),
    ip: new Map(),
  };
  private batch = 0;
  private changed: EntityRef[] = [];

  constructor(private readonly options: FeatureEngineOptions) {}

  /**
   * Applies a payment and returns its features as of its event time. Hot
   * loops pass a vector to reuse (`into`): allocating a fresh typed array
   * per payment costs more than computing the features. The result then
   * aliases `into`, which the next call overwrites.
   */
  apply(txn: Transaction, into?: FeatureVector): ApplyResult {
    let card = this.cards.get(txn.cardId);
    if (card?.has(txn.transactionId)) return { status: 'duplicate' };
    if (!card) {
      card = CardState.empty();
      this.cards.set(txn.cardId, card);
    }
    const out = into ? into.fill(0) : newFeatureVector();
    const cents = toCents(txn.amount);
    writeTransactionFeatures(txn, out);
    card.record(txn, cents, this.options.terminals.get(txn.terminalId), out);
    this.markChanged(card, 'card', txn.cardId);
    this.recordCounterparty('terminal', txn.terminalId, txn, cents, out);
    if (txn.deviceId !== undefined) this.recordCounterparty('device', txn.deviceId, txn, cents, out);
    if (txn.ip !== undefined) this.recordCounterparty('ip', txn.ip, txn, cents, out);
    return { status: 'applied', features: out };
  }

  /** Whether the card already holds this payment (applying it again would change nothing). */
  holds(cardId: string, transactionId: string): boolean {
    return this.cards.get(cardId)?.has(transactionId) ?? false;
  }

  /**
   * Applies a chargeback to the card and to the terminal, device and IP of
   * the disputed payment. Features at time t only count chargebacks with
   * `reportedAt <= t`, so applying one early never leaks a label.
   */
  applyChargeback(chargeback: Chargeback): ChargebackResult {
    const card = this.cards.get(chargeback.cardId);
    const payment = card?.payment(chargeback.transactionId);
    if (!card || !payment) return 'unknown-transaction';
    if (payment.reported) return 'duplicate';
    card.markReported(payment, chargeback.transactionId, chargeback.reportedAt);
    this.markChanged(card, 'card', chargeback.cardId);
    const credit = (kind: CounterpartyKind, id: string | null) => {
      const state = id === null ? undefined : this.counterparties[kind].get(id);
      if (state?.addKnownFraud(chargeback.transactionId, payment.time, chargeback.reportedAt)) {
        this.markChanged(state, kind, id!);
      }
    };
    credit('terminal', payment.terminalId);
    credit('device', payment.deviceId);
    credit('ip', payment.ip);
    return 'applied';
  }

  /** The entity's state as plain JSON-safe data, or undefined when the engine holds none. */
  snapshot(ref: EntityRef): EntitySnapshot | undefined {
    if (ref.kind === 'card') return this.cards.get(ref.id)?.toSnapshot();
    return this.counterparties[ref.kind].get(ref.id)?.toSnapshot(ref.kind);
  }

  /** Replaces the entity's state with a snapshot (after a restart or a partition move). */
  restore(ref: EntityRef, snapshot: EntitySnapshot): void {
    if (snapshot.v !== 1) {
      throw new Error(
        `${ref.kind} ${ref.id}: snapshot version ${String(snapshot.v)} is not supported (expected 1)`,
      );
    }
    if (snapshot.kind !== ref.kind)
      throw new Error(`${ref.kind} ${ref.id}: snapshot is of a ${snapshot.kind}`);
    if (snapshot.kind === 'card') this.cards.set(ref.id, CardState.fromSnapshot(snapshot));
    else this.counterparties[snapshot.kind].set(ref.id, CounterpartyState.fromSnapshot(snapshot));
  }

  /** Entities changed since the last call, each once: what a service writes to its snapshot with the offset. */
  takeChanged(): EntityRef[] {
    const changed = this.changed;
    this.changed = [];
    this.batch += 1;
    return changed;
  }

  /** How many entities of each kind the engine holds (for metrics and memory estimates). */
  size(): Record<EntityKind, number> {
    return {
      card: this.cards.size,
      terminal: this.counterparties.terminal.size,
      device: this.counterparties.device.size,
      ip: this.counterparties.ip.size,
    };
  }

  /** A flag on the entity instead of a set of ids: one comparison per update instead of a hash insert. */
  private markChanged(state: Changeable, kind: EntityKind, id: string): void {
    if (state.changedInBatch === this.batch) return;
    state.changedInBatch = this.batch;
    this.changed.push({ kind, id });
  }

  private recordCounterparty(
    kind: CounterpartyKind,
    id: string,
    txn: Transaction,
    cents: number,
    out: Float64Array,
  ): void {
    const states = this.counterparties[kind];
    let state = states.get(id);
    if (!state) {
      state = CounterpartyState.empty(LAYOUTS[kind].distinctCards1d !== null);
      states.set(id, state);
    }
    state.record(txn.eventTime, cents, txn.cardId);
    this.markChanged(state, kind, id);
    state.write(txn.eventTime, out, LAYOUTS[kind]);
  }
}

/** Features of the payment alone. Night is 00:00-06:59 UTC, as the Handbook's `TX_DURING_NIGHT` (hour <= 6). */
function writeTransactionFeatures(txn: Transaction, out: Float64Array): void {
  const hour = Math.floor((txn.eventTime % DAY_MS) / HOUR_MS);
  // Weekday with Sunday = 0: 1970-01-01 (day 0) was a Thursday, weekday 4.
  const weekday = (Math.floor(txn.eventTime / DAY_MS) + 4) % 7;
  out[TRANSACTION_LAYOUT.amount] = txn.amount;
  out[TRANSACTION_LAYOUT.isEcom] = txn.channel === 'ecom' ? 1 : 0;
  out[TRANSACTION_LAYOUT.isNight] = hour <= 6 ? 1 : 0;
  out[TRANSACTION_LAYOUT.isWeekend] = weekday === 0 || weekday === 6 ? 1 : 0;
  out[TRANSACTION_LAYOUT.mccHighRisk] = HIGH_RISK_MERCHANT_CATEGORIES.has(txn.merchantCategory) ? 1 : 0;
}
