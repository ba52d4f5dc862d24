import { describe, expect, it } from 'vitest';
import { RuleBook, RuleSetError, TRANSACTION_LEVEL_FEATURES } from '../src/domain/rules.js';
import { features, highAmountRule, payment, ruleSet } from './fixtures.js';

describe('RuleBook', () => {
  it('when every condition of a rule holds, then it fires with its action and reason', () => {
    const book = RuleBook.compile(
      ruleSet([
        highAmountRule,
        {
          id: 'online-velocity',
          when: [
            { field: 'channel', op: '==', value: 'ecom' },
            { field: 'card_nb_tx_1h', op: '>=', value: 4 },
          ],
          action: 'decline',
          reason: 'velocity',
        },
      ]),
    );
    const online = payment({ channel: 'ecom', amount: 50 });

    expect(book.evaluate(online, features({ amount: 50, card_nb_tx_1h: 4 }))).toEqual([
      { id: 'online-velocity', action: 'decline', reason: 'velocity' },
    ]);
    expect(book.evaluate(online, features({ amount: 50, card_nb_tx_1h: 3 }))).toEqual([]);
    expect(book.evaluate(payment({ amount: 201 }), features({ amount: 201 })).map((r) => r.id)).toEqual([
      'high-amount',
    ]);
  });

  it('when conditions use lists, then in and not in test membership', () => {
    const book = RuleBook.compile(
      ruleSet([
        {
          id: 'risky-category',
          when: [
            { field: 'merchantCategory', op: 'in', value: ['7995', '6051'] },
            { field: 'currency', op: 'not in', value: ['EUR'] },
          ],
          action: 'review',
          reason: 'gambling or crypto, foreign currency',
        },
      ]),
    );

    expect(book.evaluate(payment({ merchantCategory: '7995', currency: 'USD' }), features())).toHaveLength(1);
    expect(book.evaluate(payment({ merchantCategory: '7995', currency: 'EUR' }), features())).toHaveLength(0);
  });

  it('when the file names an unknown field, mixes types or misuses a list, then compiling names each problem', () => {
    const invalid = ruleSet([
      { ...highAmountRule, id: 'typo', when: [{ field: 'card_nb_tx_2h', op: '>', value: 1 }] },
      { ...highAmountRule, id: 'text-compare', when: [{ field: 'channel', op: '>', value: 'ecom' }] },
      { ...highAmountRule, id: 'list', when: [{ field: 'amount', op: '==', value: [1, 2] }] },
    ]);

    const error = (() => {
      try {
        RuleBook.compile(invalid);
      } catch (e) {
        return e as RuleSetError;
      }
    })();

    expect(error).toBeInstanceOf(RuleSetError);
    expect(error!.problems).toHaveLength(3);
    expect(error!.problems[0]).toMatch(
      /rule "typo" condition 1 .*"card_nb_tx_2h" is neither a model feature/,
    );
    expect(error!.problems[1]).toMatch(/rule "text-compare".*channel is text/);
    expect(error!.problems[2]).toMatch(/rule "list".*a list needs "in"/);
  });

  it('when a rule is disabled, then it never fires', () => {
    const book = RuleBook.compile(ruleSet([{ ...highAmountRule, enabled: false }]));
    expect(book.evaluate(payment({ amount: 999 }), features({ amount: 999 }))).toEqual([]);
  });

  it('when the content changes without a version bump, then the rules version still changes', () => {
    const before = RuleBook.compile(ruleSet([highAmountRule]));
    const after = RuleBook.compile(
      ruleSet([{ ...highAmountRule, when: [{ field: 'amount', op: '>', value: 300 }] }]),
    );

    expect(before.version).toMatch(/^test-1\+[0-9a-f]{8}$/);
    expect(after.version).not.toBe(before.version);
  });

  it('when only the payment is known, then only rules reading payment-level fields are evaluated', () => {
    const book = RuleBook.compile(
      ruleSet([
        highAmountRule,
        {
          id: 'velocity',
          when: [{ field: 'card_nb_tx_1h', op: '>=', value: 0 }],
          action: 'decline',
          reason: 'always, if it could be evaluated',
        },
      ]),
    );

    const fired = book.evaluateTransactionLevel(payment({ amount: 500 }), features({ amount: 500 }));
    expect(fired.map((r) => r.id)).toEqual(['high-amount']);
  });
});

describe('TRANSACTION_LEVEL_FEATURES', () => {
  it('when listed, then they are exactly the features of the payment itself', () => {
    expect([...TRANSACTION_LEVEL_FEATURES].sort()).toEqual(
      ['amount', 'is_ecom', 'is_night', 'is_weekend', 'mcc_high_risk'].sort(),
    );
  });
});
