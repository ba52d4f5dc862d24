import type { Chargeback, Transaction } from '@mlsys/contracts';

/**
 * The explorer's fraud presets, each a short script of what the design's
 * fraud patterns look like from the acquirer's side. The last payment of a
 * script is its probe: the one whose features, rules and score the explorer
 * shows. Cards and terminals come from the simulator's world, so a stack
 * that has seen demo traffic knows their history.
 */

export const PRESETS = {
  normal: 'one card-present payment of a usual amount, near home',
  'card-testing': 'ten tiny card-not-present payments in a minute from one new device, then the probe',
  'compromised-terminal':
    'four cards paid at one terminal and were charged back (Handbook scenario 2); then another card pays there',
  'account-takeover': 'a new device and IP spend five times the usual amount online (card-not-present)',
} as const;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export type PresetStep =
  | { kind: 'payment'; transaction: Transaction }
  | { kind: 'chargeback'; chargeback: Chargeback }
  /** Lets the chargebacks reach the feature engine before the probe. */
  | { kind: 'pause'; ms: number };

export interface PresetWorld {
  cards: readonly string[];
  posTerminals: ReadonlyArray<{ id: string; merchantCategory: string }>;
  ecomTerminals: ReadonlyArray<{ id: string; merchantCategory: string }>;
}

export interface PresetContext {
  world: PresetWorld;
  now: number;
  /** Uniform in [0, 1). */
  random: () => number;
  /** A transaction id no earlier run used. */
  nextId: () => string;
}

const MINUTE_MS = 60_000;

const pick = <T>(items: readonly T[], random: () => number): T => {
  if (items.length === 0) throw new Error('the simulator world has no such card or terminal');
  return items[Math.floor(random() * items.length)] as T;
};
const cents = (amount: number) => Math.round(amount * 100) / 100;

export function presetSteps(name: PresetName, context: PresetContext): PresetStep[] {
  const { world, now, random, nextId } = context;
  const card = pick(world.cards, random);
  const payment = (fields: Partial<Transaction> & Pick<Transaction, 'terminalId' | 'amount'>): PresetStep => {
    const transaction: Transaction = {
      transactionId: nextId(),
      eventTime: now,
      cardId: card,
      currency: 'EUR',
      channel: 'pos',
      merchantCategory: '5411',
      ...fields,
    };
    return { kind: 'payment', transaction };
  };

  switch (name) {
    case 'normal': {
      const terminal = pick(world.posTerminals, random);
      return [
        payment({
          terminalId: terminal.id,
          merchantCategory: terminal.merchantCategory,
          amount: cents(20 + random() * 40),
        }),
      ];
    }
    case 'card-testing': {
      const device = `dev-demo-${Math.floor(random() * 1e9)}`;
      const ip = `198.51.100.${1 + Math.floor(random() * 250)}`;
      return Array.from({ length: 11 }, (_, i) => {
        const terminal = pick(world.ecomTerminals, random);
        return payment({
          eventTime: now - (10 - i) * 5_000,
          terminalId: terminal.id,
          merchantCategory: terminal.merchantCategory,
          channel: 'ecom',
          amount: cents(1 + random() * 2),
          deviceId: device,
          ip,
        });
      });
    }
    case 'compromised-terminal': {
      const terminal = pick(world.posTerminals, random);
      const steps: PresetStep[] = [];
      const victims = Array.from({ length: 4 }, () => pick(world.cards, random)).filter((c) => c !== card);
      for (const [i, victim] of victims.entries()) {
        const paid = payment({
          cardId: victim,
          eventTime: now - (50 - i * 10) * MINUTE_MS,
          terminalId: terminal.id,
          merchantCategory: terminal.merchantCategory,
          amount: cents(60 + random() * 90),
        });
        steps.push(paid);
        if (paid.kind !== 'payment') continue;
        steps.push({
          kind: 'chargeback',
          chargeback: {
            transactionId: paid.transaction.transactionId,
            cardId: victim,
            eventTime: paid.transaction.eventTime,
            reportedAt: now - 1_000,
            scenario: 'console-preset',
          },
        });
      }
      steps.push({ kind: 'pause', ms: 1_500 });
      steps.push(
        payment({
          terminalId: terminal.id,
          merchantCategory: terminal.merchantCategory,
          amount: cents(60 + random() * 90),
        }),
      );
      return steps;
    }
    case 'account-takeover': {
      const terminal = pick(world.ecomTerminals, random);
      return [
        payment({
          terminalId: terminal.id,
          merchantCategory: terminal.merchantCategory,
          channel: 'ecom',
          amount: cents(5 * (40 + random() * 60)),
          deviceId: `dev-new-${Math.floor(random() * 1e9)}`,
          ip: `203.0.113.${1 + Math.floor(random() * 250)}`,
        }),
      ];
    }
  }
}
