import { createLogger, createMetrics } from '@mlsys/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { RuleBook } from '../src/domain/rules.js';
import { highAmountRule, payment, ruleSet } from './fixtures.js';

const rules = RuleBook.compile(
  ruleSet([
    highAmountRule,
    {
      id: 'velocity',
      when: [{ field: 'card_nb_tx_1h', op: '>=', value: 0 }],
      action: 'decline',
      reason: 'needs the feature engine',
    },
  ]),
);

function setup() {
  return buildApp({
    logger: createLogger({ service: 'fraud-scorer', level: 'silent' }),
    metrics: createMetrics('fraud-scorer', { defaultMetrics: false }),
    version: 'test',
    readiness: {},
    artifacts: () => ({ model: 'm', rules: rules.version }),
    rules: () => rules,
    clock: () => 5,
  });
}

let app: ReturnType<typeof setup> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('fraud-scorer HTTP', () => {
  it('when a rules-only decision is asked for a large payment, then the payment-level rules decide it, flagged rules-only', async () => {
    app = setup();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/decisions/rules-only',
      payload: payment({ amount: 500 }),
    });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      decision: 'review',
      mode: 'rules-only',
      score: 0,
      reasons: ['rule high-amount: amount above 200'],
      rulesVersion: rules.version,
    });
  });

  it('when the payment body is invalid, then 400 names the field', async () => {
    app = setup();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/decisions/rules-only',
      payload: { ...payment(), amount: 'lots' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields.map((f: { field: string }) => f.field)).toEqual(['amount']);
  });

  it('when the rules are asked for, then the set in force comes back with its version', async () => {
    app = setup();
    const res = await app.inject({ method: 'GET', url: '/v1/rules' });
    expect(res.json()).toEqual({ rulesVersion: rules.version, ruleSet: rules.source });
  });
});
