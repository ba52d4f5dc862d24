import { createHash } from 'node:crypto';
import type { Transaction } from '@mlsys/contracts';
import { describe, expect, it } from 'vitest';
import {
  FRAUD_PROFILES,
  type FraudProfile,
  type SimulatedEvent,
  simulateFraud,
} from '../../src/fraud/index.js';
import { buildWorld } from '../../src/fraud/world.js';

const DAY_MS = 86_400_000;
const tiny = FRAUD_PROFILES.tiny;

const digest = (events: Iterable<SimulatedEvent>) => {
  const hash = createHash('sha256');
  for (const event of events) hash.update(JSON.stringify(event));
  return hash.digest('hex');
};

const transactionsOf = (profile: FraudProfile) =>
  [...simulateFraud(profile)].flatMap((e) => (e.kind === 'transaction' ? [e] : []));

describe('fraud simulator', () => {
  it('when run twice with the same profile, then it yields the same events; another seed yields others', () => {
    expect(digest(simulateFraud(tiny))).toBe(digest(simulateFraud(tiny)));
    expect(digest(simulateFraud({ ...tiny, seed: 8 }))).not.toBe(digest(simulateFraud(tiny)));
  });

  it('when run, then payments come in event-time order and each chargeback after its payment, within the delay bounds', () => {
    const events = [...simulateFraud(tiny)];
    const seen = new Map<string, Transaction & { fraud: boolean }>();
    let last = 0;
    let reportedSinceLast: number[] = [];
    for (const event of events) {
      if (event.kind === 'transaction') {
        expect(event.transaction.eventTime).toBeGreaterThanOrEqual(last);
        for (const reportedAt of reportedSinceLast)
          expect(reportedAt).toBeLessThanOrEqual(event.transaction.eventTime);
        reportedSinceLast = [];
        last = event.transaction.eventTime;
        seen.set(event.transaction.transactionId, { ...event.transaction, fraud: event.label.isFraud });
        continue;
      }
      const disputed = seen.get(event.chargeback.transactionId)!;
      expect(disputed.fraud).toBe(true);
      expect(event.chargeback.cardId).toBe(disputed.cardId);
      const delay = event.chargeback.reportedAt - disputed.eventTime;
      expect(delay).toBeGreaterThanOrEqual(DAY_MS);
      expect(delay).toBeLessThanOrEqual(90 * DAY_MS);
      expect(event.chargeback.reportedAt).toBeGreaterThan(last);
      reportedSinceLast.push(event.chargeback.reportedAt);
    }
    const frauds = events.filter((e) => e.kind === 'transaction' && e.label.isFraud).length;
    const chargebacks = events.filter((e) => e.kind === 'chargeback').length;
    expect(chargebacks / frauds).toBeGreaterThan(0.7);
    expect(chargebacks / frauds).toBeLessThan(0.97);
  });

  it('when a payment is over 220 it is fraud, and every high-amount fraud is over 220', () => {
    const payments = transactionsOf(tiny);
    for (const { transaction, label } of payments) {
      if (transaction.amount > 220) expect(label.isFraud).toBe(true);
      if (label.scenario === 'high-amount') expect(transaction.amount).toBeGreaterThan(220);
      expect(label.isFraud).toBe(label.scenario !== null);
    }
  });

  it('when only the Handbook scenarios run, then the fraud share is the Handbook order of magnitude (0.84 %)', () => {
    const profile = {
      ...tiny,
      name: 'medium',
      customers: 1_000,
      terminals: 2_000,
      days: 90,
      cnpFraud: false,
    };
    const payments = transactionsOf(profile);
    const share = payments.filter((p) => p.label.isFraud).length / payments.length;
    const perCustomerDay = payments.length / profile.customers / profile.days;

    expect(share).toBeGreaterThan(0.005);
    expect(share).toBeLessThan(0.013);
    expect(perCustomerDay).toBeGreaterThan(1.8); // Poisson(U(0,4)) minus the ~3 % of times outside the day
    expect(perCustomerDay).toBeLessThan(2.1);
    expect(new Set(payments.map((p) => p.label.scenario))).toEqual(
      new Set([null, 'high-amount', 'compromised-terminal', 'compromised-card']),
    );
  });

  it('when honest customers pay, then they use terminals within radius 5 of home, online with a device and IP', () => {
    const world = buildWorld(tiny);
    const home = new Map(world.customers.map((c) => [c.id, c]));
    const location = new Map(world.terminals.map((t) => [t.id, t]));
    for (const { transaction, label } of transactionsOf(tiny)) {
      if (label.scenario === 'card-testing' || label.scenario === 'account-takeover') continue;
      const customer = home.get(transaction.cardId)!;
      const terminal = location.get(transaction.terminalId)!;
      expect(Math.hypot(customer.x - terminal.x, customer.y - terminal.y)).toBeLessThan(5);
      expect(transaction.channel).toBe(terminal.channel);
      expect(transaction.deviceId !== undefined).toBe(transaction.channel === 'ecom');
      expect(transaction.ip !== undefined).toBe(transaction.channel === 'ecom');
    }
  });

  it('when a card is tested, then tiny web payments minutes apart from one device end with one large payment', () => {
    const payments = transactionsOf(tiny).filter((p) => p.label.scenario === 'card-testing');
    const bursts = new Map<string, typeof payments>();
    for (const p of payments) {
      const key = `${p.transaction.cardId}/${p.transaction.deviceId}`;
      bursts.set(key, [...(bursts.get(key) ?? []), p]);
    }
    expect(bursts.size).toBeGreaterThan(3);
    for (const burst of bursts.values()) {
      const amounts = burst.map((p) => p.transaction.amount);
      const large = amounts.filter((a) => a >= 100);
      expect(large.length).toBeGreaterThanOrEqual(1);
      expect(amounts.filter((a) => a <= 3).length).toBeGreaterThanOrEqual(3);
      expect(burst.every((p) => p.transaction.channel === 'ecom')).toBe(true);
    }
  });

  it('when an account is taken over, then its payments come from a device the card never used before, above its usual amount', () => {
    const world = buildWorld(tiny);
    const usual = new Map(world.customers.map((c) => [c.id, c.meanAmount]));
    const honestDevices = new Map<string, Set<string>>();
    const takeovers = new Set<string>();
    for (const { transaction, label } of transactionsOf(tiny)) {
      const devices = honestDevices.get(transaction.cardId) ?? new Set<string>();
      honestDevices.set(transaction.cardId, devices);
      if (label.scenario === 'account-takeover') {
        expect(transaction.amount).toBeGreaterThanOrEqual(2.5 * usual.get(transaction.cardId)! - 0.01);
        expect(devices.has(transaction.deviceId!)).toBe(false);
        takeovers.add(`${transaction.cardId}/${transaction.deviceId}`);
      } else if (!label.isFraud && transaction.deviceId) {
        devices.add(transaction.deviceId);
      }
    }
    expect(takeovers.size).toBeGreaterThan(3);
  });
});
