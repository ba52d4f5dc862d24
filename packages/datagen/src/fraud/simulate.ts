import type { Transaction } from '@mlsys/contracts';
import { Random } from '../random.js';
import { CardholderChannels, CardNotPresentAttacks } from './card-not-present.js';
import { ChargebackQueue } from './chargebacks.js';
import type { PaymentDraft } from './draft.js';
import { HandbookDays } from './handbook.js';
import type { SimulatedEvent } from './labels.js';
import type { FraudProfile } from './profiles.js';
import { buildWorld, type World } from './world.js';

const DAY_MS = 86_400_000;

export interface SimulationOptions {
  /** Called after each simulated day (for progress). */
  onDay?: (day: number, days: number) => void;
}

/**
 * The whole simulation as one stream in time order: payments (with their
 * labels beside them) and, interleaved at their report time, the chargebacks.
 * A chargeback comes before a payment of the same millisecond. Chargebacks
 * reported after the last simulated day follow at the end. Deterministic
 * from the profile's seed; holds one day of payments in memory.
 */
export function* simulateFraud(
  profile: FraudProfile,
  options: SimulationOptions = {},
): Generator<SimulatedEvent> {
  const world = buildWorld(profile);
  yield* simulateWorld(world, options);
}

export function* simulateWorld(world: World, options: SimulationOptions = {}): Generator<SimulatedEvent> {
  const { profile } = world;
  const handbook = new HandbookDays(world);
  const channels = new CardholderChannels(world);
  const attacks = new CardNotPresentAttacks(world);
  const chargebacks = new ChargebackQueue(Random.derive(profile.seed, 'chargebacks'));
  const end = world.startTime + profile.days * DAY_MS;
  let spillover: PaymentDraft[] = [];
  let sequence = 0;

  for (let day = 0; day < profile.days; day++) {
    handbook.startDay(day);
    const drafts: PaymentDraft[] = [];
    for (const customer of world.customers) {
      for (const draft of handbook.paymentsOf(customer, day)) {
        channels.assign(draft);
        drafts.push(draft);
      }
    }
    if (profile.cnpFraud) spillover.push(...attacks.startingOn(day));
    const dayEnd = world.startTime + (day + 1) * DAY_MS;
    drafts.push(...spillover.filter((d) => d.time < dayEnd));
    spillover = spillover.filter((d) => d.time >= dayEnd && d.time < end);
    drafts.sort((a, b) => a.time - b.time);

    for (const draft of drafts) {
      for (const chargeback of chargebacks.due(draft.time)) yield { kind: 'chargeback', chargeback };
      sequence += 1;
      const transaction = toTransaction(draft, sequence);
      if (draft.scenario !== null) chargebacks.schedule(transaction, draft.scenario);
      yield {
        kind: 'transaction',
        transaction,
        label: { isFraud: draft.scenario !== null, scenario: draft.scenario },
      };
    }
    options.onDay?.(day, profile.days);
  }
  for (const chargeback of chargebacks.drain()) yield { kind: 'chargeback', chargeback };
}

function toTransaction(draft: PaymentDraft, sequence: number): Transaction {
  const transaction: Transaction = {
    transactionId: `tx-${sequence}`,
    eventTime: draft.time,
    cardId: draft.customer.id,
    terminalId: draft.terminal.id,
    amount: draft.amount,
    currency: 'EUR',
    channel: draft.terminal.channel,
    merchantCategory: draft.terminal.merchantCategory,
  };
  if (draft.deviceId !== undefined) transaction.deviceId = draft.deviceId;
  if (draft.ip !== undefined) transaction.ip = draft.ip;
  return transaction;
}
