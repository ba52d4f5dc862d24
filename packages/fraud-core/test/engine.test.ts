import type { Transaction } from '@mlsys/contracts';
import { describe, expect, it } from 'vitest';
import {
  ENTITY_KINDS,
  type EntityRef,
  FEATURE_NAMES,
  type FeatureVector,
  FraudFeatureEngine,
  featureRecord,
  toRulesInput,
} from '../src/index.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../src/time.js';
import { chargebackOf, payment, T0 } from './helpers.js';

const terminals = new Map([
  ['term-1', { x: 10, y: 10 }],
  ['term-2', { x: 13, y: 14 }],
  ['term-far', { x: 90, y: 90 }],
]);
const newEngine = () => new FraudFeatureEngine({ terminals });

function applied(engine: FraudFeatureEngine, txn: Transaction) {
  const result = engine.apply(txn);
  if (result.status !== 'applied') throw new Error(`expected ${txn.transactionId} to apply`);
  return featureRecord(result.features);
}

function allSnapshots(engine: FraudFeatureEngine, txns: readonly Transaction[]) {
  const refs: EntityRef[] = [];
  for (const t of txns) {
    refs.push({ kind: 'card', id: t.cardId }, { kind: 'terminal', id: t.terminalId });
    if (t.deviceId) refs.push({ kind: 'device', id: t.deviceId });
    if (t.ip) refs.push({ kind: 'ip', id: t.ip });
  }
  return JSON.stringify(refs.map((ref) => [ref, engine.snapshot(ref)]));
}

/** A seeded mix of cards, terminals, devices and IPs over ~10 days. */
function randomStream(count: number): Transaction[] {
  let seed = 42;
  const next = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 2 ** 32;
  };
  let time = T0;
  return Array.from({ length: count }, (_, i) => {
    time += Math.floor(next() * 20 * MINUTE_MS);
    const ecom = next() < 0.4;
    return payment({
      transactionId: `r-${i}`,
      eventTime: time,
      cardId: `card-${Math.floor(next() * 12)}`,
      terminalId: ['term-1', 'term-2', 'term-far', 'term-unknown'][Math.floor(next() * 4)]!,
      amount: Math.round(next() * 30_000) / 100 + 0.01,
      channel: ecom ? 'ecom' : 'pos',
      ...(ecom ? { deviceId: `dev-${Math.floor(next() * 6)}`, ip: `10.0.0.${Math.floor(next() * 5)}` } : {}),
    });
  });
}

describe('FraudFeatureEngine', () => {
  it('when a card pays twice within an hour, then its windows include both and habits compare with the first', () => {
    const engine = newEngine();
    const first = applied(engine, payment({ amount: 20 }));
    const second = applied(
      engine,
      payment({ eventTime: T0 + 10 * MINUTE_MS, amount: 100, terminalId: 'term-2' }),
    );

    expect(first.card_nb_tx_1h).toBe(1);
    expect(first.card_amount_to_mean_ratio).toBe(-1);
    expect(first.card_seconds_since_last_tx).toBe(-1);
    expect(first.card_distance_from_home).toBe(-1);
    expect(second.card_nb_tx_1h).toBe(2);
    expect(second.card_sum_amount_1h).toBe(120);
    expect(second.card_sum_amount_30d).toBe(120);
    expect(second.card_amount_to_mean_ratio).toBe(5);
    expect(second.card_seconds_since_last_tx).toBe(600);
    expect(second.card_distance_from_home).toBe(5); // (13,14) from (10,10)
    expect(second.card_distinct_terminals_1d).toBe(2);
    expect(second.terminal_nb_tx_1h).toBe(1);
    expect(second.amount).toBe(100);
  });

  it('when a card pays far above its usual amount, then later payments count that spike for 7 and 30 days', () => {
    const engine = newEngine();
    for (let i = 0; i < 3; i++) applied(engine, payment({ eventTime: T0 + i * HOUR_MS, amount: 20 }));
    const spike = applied(engine, payment({ eventTime: T0 + 3 * HOUR_MS, amount: 100 }));
    const nextDay = applied(engine, payment({ eventTime: T0 + DAY_MS, amount: 20 }));
    const nextWeek = applied(engine, payment({ eventTime: T0 + 9 * DAY_MS, amount: 20 }));

    expect([spike.card_amount_to_mean_ratio, spike.card_amount_spikes_7d]).toEqual([5, 0]);
    expect([nextDay.card_amount_spikes_7d, nextDay.card_amount_spikes_30d]).toEqual([1, 1]);
    expect([nextWeek.card_amount_spikes_7d, nextWeek.card_amount_spikes_30d]).toEqual([0, 1]);
  });

  it('when payments age past a window, then that window forgets them while longer ones keep them', () => {
    const engine = newEngine();
    applied(engine, payment({ amount: 10 }));
    const later = applied(engine, payment({ eventTime: T0 + 2 * HOUR_MS, amount: 30 }));
    const nextWeek = applied(engine, payment({ eventTime: T0 + 8 * DAY_MS, amount: 50 }));

    expect([later.card_nb_tx_1h, later.card_nb_tx_1d, later.card_nb_tx_7d]).toEqual([1, 2, 2]);
    expect([nextWeek.card_nb_tx_1d, nextWeek.card_nb_tx_7d, nextWeek.card_nb_tx_30d]).toEqual([1, 1, 3]);
    expect(nextWeek.card_sum_amount_30d).toBe(90);
  });

  it('when a card pays from a device and IP for the first time, then both are new, and known the next time', () => {
    const engine = newEngine();
    const ecom = { channel: 'ecom' as const, deviceId: 'dev-a', ip: '10.1.1.1' };
    const first = applied(engine, payment(ecom));
    const again = applied(engine, payment({ ...ecom, eventTime: T0 + HOUR_MS }));
    const newDevice = applied(engine, payment({ ...ecom, deviceId: 'dev-b', eventTime: T0 + 2 * HOUR_MS }));

    expect([first.card_new_device, first.card_new_ip, first.is_ecom]).toEqual([1, 1, 1]);
    expect([again.card_new_device, again.card_new_ip]).toEqual([0, 0]);
    expect([newDevice.card_new_device, newDevice.card_new_ip, newDevice.card_distinct_devices_1d]).toEqual([
      1, 0, 2,
    ]);
    expect(newDevice.device_nb_tx_1d).toBe(1);
    expect(newDevice.ip_nb_tx_1d).toBe(3);
  });

  it('when several cards use one device, then the device counts its distinct cards', () => {
    const engine = newEngine();
    let last = featureRecord(new Float64Array(FEATURE_NAMES.length));
    for (let i = 0; i < 4; i++) {
      last = applied(
        engine,
        payment({
          cardId: `card-${i}`,
          channel: 'ecom',
          deviceId: 'dev-shared',
          eventTime: T0 + i * MINUTE_MS,
        }),
      );
    }
    expect(last.device_distinct_cards_1d).toBe(4);
    expect(last.device_nb_tx_1h).toBe(4);
    expect(last.card_nb_tx_1h).toBe(1);
  });

  it('when the same transaction is applied twice, then the second is a duplicate and no state changes', () => {
    const engine = newEngine();
    const txn = payment({ channel: 'ecom', deviceId: 'dev-a', ip: '10.1.1.1', amount: 42 });
    applied(engine, txn);
    engine.takeChanged();
    const before = allSnapshots(engine, [txn]);

    expect(engine.apply({ ...txn }).status).toBe('duplicate');
    expect(allSnapshots(engine, [txn])).toBe(before);
    expect(engine.takeChanged()).toEqual([]);
  });

  it('when a chargeback is reported later than it is applied, then terminal risk ignores it until its report time', () => {
    const engine = newEngine();
    const fraud = payment({ terminalId: 'term-1', cardId: 'card-victim' });
    applied(engine, fraud);
    const reportedAt = T0 + 3 * DAY_MS;
    expect(engine.applyChargeback(chargebackOf(fraud, reportedAt))).toBe('applied');

    const before = applied(
      engine,
      payment({ terminalId: 'term-1', cardId: 'card-2', eventTime: reportedAt - 1 }),
    );
    const atReport = applied(
      engine,
      payment({ terminalId: 'term-1', cardId: 'card-3', eventTime: reportedAt }),
    );

    expect([before.terminal_known_frauds_7d, before.terminal_fraud_ratio_7d]).toEqual([0, 0]);
    expect(before.terminal_days_since_known_fraud).toBe(-1);
    expect(atReport.terminal_known_frauds_7d).toBe(1);
    expect(atReport.terminal_known_frauds_30d).toBe(1);
    expect(atReport.terminal_fraud_ratio_7d).toBeCloseTo(1 / 3, 12);
    expect(atReport.terminal_days_since_known_fraud).toBe(3);
  });

  it('when the disputed payment leaves the 7-day window, then it counts in 30 days only', () => {
    const engine = newEngine();
    const fraud = payment({ cardId: 'card-victim', channel: 'ecom', deviceId: 'dev-x', ip: '6.6.6.6' });
    applied(engine, fraud);
    engine.applyChargeback(chargebackOf(fraud, T0 + DAY_MS));
    const later = applied(
      engine,
      payment({
        cardId: 'card-victim',
        channel: 'ecom',
        deviceId: 'dev-x',
        ip: '6.6.6.6',
        eventTime: T0 + 8 * DAY_MS,
      }),
    );

    expect([later.terminal_known_frauds_7d, later.terminal_known_frauds_30d]).toEqual([0, 1]);
    expect([later.device_known_frauds_30d, later.ip_known_frauds_30d, later.card_known_frauds_30d]).toEqual([
      1, 1, 1,
    ]);
    expect(later.card_fraud_ratio_30d).toBe(0.5);
    expect([later.terminal_days_since_known_fraud, later.card_days_since_known_fraud]).toEqual([8, 8]);
  });

  it('when a chargeback arrives twice or names an unknown payment, then it is counted once and the unknown one is reported', () => {
    const engine = newEngine();
    const fraud = payment();
    applied(engine, fraud);
    const chargeback = chargebackOf(fraud, T0 + DAY_MS);

    expect(engine.applyChargeback(chargeback)).toBe('applied');
    expect(engine.applyChargeback({ ...chargeback })).toBe('duplicate');
    expect(engine.applyChargeback({ ...chargeback, transactionId: 'never-seen' })).toBe(
      'unknown-transaction',
    );
    const next = applied(engine, payment({ eventTime: T0 + 2 * DAY_MS }));
    expect(next.terminal_known_frauds_7d).toBe(1);
  });

  it('when state is snapshotted as JSON and restored into a new engine, then the rest of the stream gives identical features', () => {
    const stream = randomStream(1_500);
    const continuous = newEngine();
    const restarted = newEngine();
    const features = (engine: FraudFeatureEngine, txn: Transaction): FeatureVector => {
      const result = engine.apply(txn);
      return result.status === 'applied' ? result.features : new Float64Array(0);
    };
    const half = 900;
    for (const txn of stream.slice(0, half)) {
      features(continuous, txn);
      features(restarted, txn);
      if (txn.amount > 250) continuous.applyChargeback(chargebackOf(txn, txn.eventTime + 2 * DAY_MS));
      if (txn.amount > 250) restarted.applyChargeback(chargebackOf(txn, txn.eventTime + 2 * DAY_MS));
    }
    const snapshots = JSON.stringify(restarted.takeChanged().map((ref) => [ref, restarted.snapshot(ref)]));
    const fresh = newEngine();
    for (const [ref, snapshot] of JSON.parse(snapshots)) fresh.restore(ref, snapshot);

    expect(allSnapshots(fresh, stream.slice(0, half))).toBe(allSnapshots(continuous, stream.slice(0, half)));
    for (const txn of stream.slice(half)) {
      expect(Array.from(features(fresh, txn))).toEqual(Array.from(features(continuous, txn)));
    }
    expect(Object.values(fresh.size()).every((n) => n > 0)).toBe(true);
  });

  it('when a snapshot has another version or kind, then restore refuses it by name', () => {
    const engine = newEngine();
    applied(engine, payment());
    const snapshot = engine.snapshot({ kind: 'card', id: 'card-1' })!;

    expect(() => engine.restore({ kind: 'card', id: 'c' }, { ...snapshot, v: 2 } as never)).toThrow(
      /version 2/,
    );
    expect(() => engine.restore({ kind: 'terminal', id: 't' }, snapshot)).toThrow(/snapshot is of a card/);
  });

  it('when a vector is passed in, then the features are written into it, clearing what the last payment left', () => {
    const engine = newEngine();
    const reused = new Float64Array(FEATURE_NAMES.length);
    engine.apply(payment({ channel: 'ecom', deviceId: 'dev-a', ip: '1.2.3.4' }), reused);
    expect(featureRecord(reused).device_nb_tx_1h).toBe(1);

    const result = engine.apply(payment({ eventTime: T0 + MINUTE_MS }), reused);
    expect(result.status === 'applied' && result.features).toBe(reused);
    expect([featureRecord(reused).device_nb_tx_1h, featureRecord(reused).card_nb_tx_1h]).toEqual([0, 2]);
  });

  it('when entities change, then takeChanged lists each once and then starts over', () => {
    const engine = newEngine();
    applied(engine, payment({ channel: 'ecom', deviceId: 'dev-a', ip: '1.2.3.4' }));
    applied(engine, payment({ eventTime: T0 + 1 }));

    const changed = engine.takeChanged();
    expect(changed.map((ref) => ref.kind).sort()).toEqual([...ENTITY_KINDS].sort());
    expect(engine.takeChanged()).toEqual([]);
  });
});

describe('toRulesInput', () => {
  it('when built from a payment and its features, then every feature is named and the categorical fields are kept', () => {
    const engine = newEngine();
    const txn = payment({ channel: 'ecom', merchantCategory: '5732', deviceId: 'dev-a', amount: 300 });
    const result = engine.apply(txn);
    if (result.status !== 'applied') throw new Error('expected the payment to apply');

    const input = toRulesInput(txn, result.features);

    expect(input).toMatchObject({
      channel: 'ecom',
      merchantCategory: '5732',
      currency: 'EUR',
      amount: 300,
      mcc_high_risk: 1,
    });
    expect(Object.keys(input)).toHaveLength(FEATURE_NAMES.length + 3);
  });
});
