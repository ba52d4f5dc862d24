import { describe, expect, it } from 'vitest';
import { compileSchema, describeErrors, Topics, Transaction } from '../src/index.js';

const transactions = compileSchema(Transaction);
const valid = {
  transactionId: 'tx-1',
  eventTime: 1_700_000_000_000,
  cardId: 'card-1',
  terminalId: 'term-1',
  amount: 10,
  currency: 'EUR',
  channel: 'ecom',
  merchantCategory: '5999',
  deviceId: 'dev-1',
  ip: '192.0.2.1',
};

describe('compileSchema', () => {
  it('when a transaction is valid, then it decodes from JSON bytes unchanged', () => {
    expect(transactions.decodeJson(Buffer.from(JSON.stringify(valid)))).toEqual({ ok: true, value: valid });
  });

  it('when fields are wrong, missing or extra, then each is reported once with its reason', () => {
    const { terminalId: _t, ...rest } = valid;
    const result = transactions.validate({ ...rest, amount: 0, currency: 'euro', extra: 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual(
      expect.arrayContaining([
        { field: 'terminalId', reason: 'is required' },
        { field: 'extra', reason: 'is not allowed' },
        { field: 'amount', reason: 'must be > 0' },
        { field: 'currency', reason: expect.stringContaining('must match pattern') },
      ]),
    );
    expect(new Set(result.errors.map((e) => `${e.field}|${e.reason}`)).size).toBe(result.errors.length);
  });

  it('when the bytes are not JSON or missing, then the reason says so', () => {
    const notJson = transactions.decodeJson('{');
    expect(notJson.ok === false && describeErrors(notJson.errors)).toMatch(/^\(body\): is not valid JSON/);
    const empty = transactions.decodeJson(null);
    expect(empty.ok === false && describeErrors(empty.errors)).toBe('(body): message has no value');
  });
});

describe('Topics', () => {
  it('when listed, then every topic name is unique and has at least one partition', () => {
    const names = Object.values(Topics).map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.values(Topics).every((t) => t.partitions >= 1)).toBe(true);
  });
});
