import { ConsoleFraudExplainRequest } from '@mlsys/contracts';
import { FEATURE_NAMES } from '@mlsys/fraud-core';
import { describe, expect, it } from 'vitest';
import { groupFeatures } from '../src/domain/fraud-features.js';
import { PRESET_NAMES, type PresetWorld, presetSteps } from '../src/domain/fraud-presets.js';
import { parseServerTiming } from '../src/domain/server-timing.js';

const world: PresetWorld = {
  cards: ['card-1', 'card-2', 'card-3', 'card-4', 'card-5', 'card-6'],
  posTerminals: [{ id: 'term-1', merchantCategory: '5411' }],
  ecomTerminals: [
    { id: 'term-9', merchantCategory: '5999' },
    { id: 'term-8', merchantCategory: '4814' },
  ],
};

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('Server-Timing', () => {
  it("when txn-api's header is parsed, then each phase keeps its duration and description, commas in quotes included", () => {
    const entries = parseServerTiming(
      'admit;dur=0.31, owner.append;dur=1.20, owner.score;dur=0.80;desc="model, batch 3", decision;dur=4.56;desc="pipeline"',
    );
    expect(entries).toEqual([
      { name: 'admit', ms: 0.31 },
      { name: 'owner.append', ms: 1.2 },
      { name: 'owner.score', ms: 0.8, description: 'model, batch 3' },
      { name: 'decision', ms: 4.56, description: 'pipeline' },
    ]);
    expect(parseServerTiming(undefined)).toEqual([]);
  });
});

describe('features grouped by window', () => {
  it('when the feature spec is grouped, then windowed aggregates form rows by entity and every other feature is listed once', () => {
    const values = FEATURE_NAMES.map((_, i) => i);
    const table = groupFeatures(FEATURE_NAMES, values);

    expect(table.windows).toEqual(['1h', '1d', '7d', '30d']);
    const cardCounts = table.rows.find((r) => r.entity === 'card' && r.aggregate === 'nb_tx')!;
    expect(Object.keys(cardCounts.values)).toEqual(['1h', '1d', '7d', '30d']);
    expect(cardCounts.values['1h']).toBe(FEATURE_NAMES.indexOf('card_nb_tx_1h'));
    const shown = table.rows.reduce((n, r) => n + Object.keys(r.values).length, 0) + table.others.length;
    expect(shown).toBe(FEATURE_NAMES.length);
    expect(table.others.find((o) => o.name === 'amount')?.entity).toBe('payment');
  });
});

describe('fraud presets', () => {
  it('when any preset is played, then its payments are valid, have fresh ids, and it ends with the probe', () => {
    let n = 0;
    for (const name of PRESET_NAMES) {
      const steps = presetSteps(name, {
        world,
        now: 1_800_000_000_000,
        random: seeded(3),
        nextId: () => `id-${++n}`,
      });
      const payments = steps.flatMap((s) => (s.kind === 'payment' ? [s.transaction] : []));
      expect(steps.at(-1)?.kind).toBe('payment');
      expect(new Set(payments.map((p) => p.transactionId)).size).toBe(payments.length);
      for (const p of payments) expect(p.eventTime).toBeLessThanOrEqual(1_800_000_000_000);
    }
  });

  it('when card testing is played, then one card sends tiny card-not-present payments from one device within a minute', () => {
    const steps = presetSteps('card-testing', { world, now: 1e12, random: seeded(1), nextId: () => 'x' });
    const payments = steps.flatMap((s) => (s.kind === 'payment' ? [s.transaction] : []));
    expect(payments.length).toBeGreaterThanOrEqual(10);
    expect(new Set(payments.map((p) => p.cardId)).size).toBe(1);
    expect(new Set(payments.map((p) => p.deviceId)).size).toBe(1);
    expect(payments.every((p) => p.channel === 'ecom' && p.amount < 5)).toBe(true);
    expect(payments.at(-1)!.eventTime - payments[0]!.eventTime).toBeLessThanOrEqual(60_000);
  });

  it('when the compromised terminal is played, then its earlier payments are charged back before the probe pays there', () => {
    const steps = presetSteps('compromised-terminal', {
      world,
      now: 1e12,
      random: seeded(2),
      nextId: () => `t${Math.random()}`,
    });
    const probe = steps.at(-1)!;
    const chargebacks = steps.filter((s) => s.kind === 'chargeback');
    expect(chargebacks.length).toBeGreaterThan(0);
    expect(probe.kind === 'payment' && probe.transaction.terminalId).toBe('term-1');
  });

  it("when the contract lists presets, then it lists exactly the console's", () => {
    const preset = ConsoleFraudExplainRequest.properties.preset;
    const listed = JSON.stringify(preset);
    for (const name of PRESET_NAMES) expect(listed).toContain(`"${name}"`);
  });
});
