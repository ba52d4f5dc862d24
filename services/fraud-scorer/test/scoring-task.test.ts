import type { Decision, EnrichedTransaction } from '@mlsys/contracts';
import { FEATURE_SPEC_VERSION } from '@mlsys/fraud-core';
import type { StreamRecord } from '@mlsys/kafka/stream';
import { describe, expect, it } from 'vitest';
import { RuleBook } from '../src/domain/rules.js';
import { ScoringTask } from '../src/domain/scoring-task.js';
import { AmountModel, enriched, highAmountRule, payment, ruleSet } from './fixtures.js';

const asRecords = (values: EnrichedTransaction[]) =>
  values.map(
    (value, i): StreamRecord<EnrichedTransaction> => ({
      topic: 'enriched',
      partition: 0,
      offset: BigInt(i),
      key: value.transaction.cardId,
      value,
      timestamp: 0,
      replay: false,
    }),
  );

function newTask(model = new AmountModel(), rules = RuleBook.compile(ruleSet([highAmountRule]))) {
  const task = new ScoringTask({
    model,
    rules: () => rules,
    thresholds: { review: 0.1, decline: 0.8 },
    decisionsTopic: 'decisions',
    clock: () => 1_000,
  });
  return { task, model, rules };
}

const decisionsOf = (output: Awaited<ReturnType<ScoringTask['process']>>) =>
  output.messages.flatMap((batch) => batch.messages.map((m) => m.value as Decision));

describe('ScoringTask', () => {
  it('when a batch arrives, then the model is called once and every transaction gets one decision', async () => {
    const { task, model, rules } = newTask();
    const batch = [payment({ amount: 10 }), payment({ amount: 150 }), payment({ amount: 900 })].map((t) =>
      enriched(t),
    );

    const decisions = decisionsOf(await task.process(asRecords(batch)));

    expect(model.calls).toBe(1);
    expect(decisions.map((d) => [d.decision, d.score])).toEqual([
      ['approve', 0.01],
      ['review', 0.15],
      ['decline', 0.9],
    ]);
    expect(decisions[2]!.reasons).toContain('rule high-amount: amount above 200');
    expect(new Set(decisions.map((d) => d.rulesVersion))).toEqual(new Set([rules.version]));
  });

  it('when a vector comes from another feature spec, then it is dead-lettered with the reason and the rest is scored', async () => {
    const { task } = newTask();
    const good = enriched(payment());
    const stale = { ...enriched(payment()), featureSpecVersion: 'fraud-features-v0' };

    const output = await task.process(asRecords([stale, good]));

    expect(decisionsOf(output).map((d) => d.transactionId)).toEqual([good.transaction.transactionId]);
    expect(output.deadLetters).toHaveLength(1);
    expect(output.deadLetters![0]!.reason).toContain(`spec fraud-features-v0`);
    expect(output.deadLetters![0]!.reason).toContain(FEATURE_SPEC_VERSION);
  });

  it('when decisions are produced, then they are keyed by card', async () => {
    const { task } = newTask();
    const output = await task.process(asRecords([enriched(payment({ cardId: 'card-9' }))]));
    expect(output.messages[0]!.messages[0]!.key).toBe('card-9');
  });

  it("when a payment comes with its owner's decision, then it is logged unchanged, or skipped when the owner logged it", async () => {
    const model = new AmountModel();
    const answered = (amount: number): Decision => ({
      transactionId: `answered-${amount}`,
      cardId: 'card-1',
      decision: 'review',
      score: 0.5,
      reasons: ['answered on the request path'],
      mode: 'full',
      modelVersion: 'm',
      rulesVersion: 'r',
      eventTime: 1,
      decidedAt: 2,
    });
    const passed = answered(1);
    const ownerLogged = answered(2);
    const seen: Array<[string[], string]> = [];
    const observed = new ScoringTask({
      model,
      rules: () => RuleBook.compile(ruleSet([highAmountRule])),
      thresholds: { review: 0.1, decline: 0.8 },
      decisionsTopic: 'decisions',
      clock: () => 1_000,
      observer: { requestPath: (decisions, by) => seen.push([decisions.map((d) => d.transactionId), by]) },
    });
    const batch = [
      { ...enriched(payment()), decision: passed },
      { ...enriched(payment()), decision: ownerLogged, decisionLogged: true },
    ];

    const decisions = decisionsOf(await observed.process(asRecords(batch)));

    expect(decisions).toEqual([passed]);
    expect(model.calls).toBe(0);
    expect(seen).toEqual([
      [[passed.transactionId], 'scorer'],
      [[ownerLogged.transactionId], 'owner'],
    ]);
  });
});
