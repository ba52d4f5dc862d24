import { createLogger, createMetrics } from '@mlsys/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { SYNC_DECISION_DEFAULTS } from '../src/domain/decision-budget.js';
import {
  decisionFor,
  MemoryDecisionStore,
  MemoryTransactionLedger,
  RecordingPublisher,
  StubOwnerDecider,
  StubOwners,
  StubRulesOnly,
  validTransaction,
} from './fakes.js';

/** A ledger whose Redis answers late: the admission alone takes `delayMs`. */
class SlowLedger extends MemoryTransactionLedger {
  constructor(private readonly delayMs: number) {
    super();
  }
  override async admit(transaction: Parameters<MemoryTransactionLedger['admit']>[0]) {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return super.admit(transaction);
  }
}

function setup(
  rulesOnly = new StubRulesOnly(),
  owners = new StubOwners(),
  ledger: MemoryTransactionLedger = new MemoryTransactionLedger(),
) {
  const publisher = new RecordingPublisher();
  const decisions = new MemoryDecisionStore();
  const decider = new StubOwnerDecider();
  const app = buildApp({
    publisher,
    decisions,
    owners,
    decider,
    rulesOnly,
    ledger,
    syncDeadlineMs: SYNC_DECISION_DEFAULTS.deadlineMs,
    logger: createLogger({ service: 'txn-api', level: 'silent' }),
    metrics: createMetrics('txn-api', { defaultMetrics: false }),
    version: 'test',
    readiness: {},
  });
  return { app, publisher, decisions, owners, decider, rulesOnly };
}

let current: ReturnType<typeof setup> | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

describe('POST /v1/transactions', () => {
  it('when the transaction is valid, then it is published and 202 points at its decision', async () => {
    current = setup();
    const res = await current.app.inject({
      method: 'POST',
      url: '/v1/transactions',
      payload: validTransaction(),
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      transactionId: 'tx-1',
      status: 'accepted',
      decisionUrl: '/v1/decisions/tx-1',
    });
    expect(current.publisher.published).toEqual([validTransaction()]);
  });

  it('when the amount is negative and the card is missing, then 400 names both fields and nothing is published', async () => {
    current = setup();
    const { cardId: _dropped, ...withoutCard } = validTransaction({ amount: -3 });
    const res = await current.app.inject({ method: 'POST', url: '/v1/transactions', payload: withoutCard });
    expect(res.statusCode).toBe(400);
    const fields = res
      .json()
      .error.fields.map((f: { field: string }) => f.field)
      .sort();
    expect(fields).toEqual(['amount', 'cardId']);
    expect(current.publisher.published).toHaveLength(0);
  });

  it('when the channel is unknown, then 400 names the channel field', async () => {
    current = setup();
    const res = await current.app.inject({
      method: 'POST',
      url: '/v1/transactions',
      payload: { ...validTransaction(), channel: 'fax' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields.map((f: { field: string }) => f.field)).toContain('channel');
  });

  it('when the body is larger than 16 KiB, then 413 and nothing is published', async () => {
    current = setup();
    const res = await current.app.inject({
      method: 'POST',
      url: '/v1/transactions',
      payload: { ...validTransaction(), padding: 'x'.repeat(20_000) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
    expect(current.publisher.published).toHaveLength(0);
  });
});

describe('GET /v1/decisions/:id', () => {
  it('when no decision exists yet, then 404 says it may still be in flight', async () => {
    current = setup();
    const res = await current.app.inject({ method: 'GET', url: '/v1/decisions/tx-9' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toContain('may still be in flight');
  });

  it('when a decision was stored, then it is returned as stored', async () => {
    current = setup();
    const decision = decisionFor(validTransaction());
    await current.decisions.put([decision]);
    const res = await current.app.inject({ method: 'GET', url: '/v1/decisions/tx-1' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(decision);
  });

  it('when the id has characters outside the id alphabet, then 400 names the id', async () => {
    current = setup();
    const res = await current.app.inject({ method: 'GET', url: '/v1/decisions/a%20b' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^params\.id /);
  });
});

describe('POST /v1/transactions?wait=true', () => {
  it("when the card's partition owner decides within the deadline, then its decision is the answer (the owner appended the payment)", async () => {
    current = setup();
    const transaction = validTransaction({ transactionId: 'tx-fast' });

    const res = await current.app.inject({
      method: 'POST',
      url: '/v1/transactions?wait=true',
      payload: transaction,
    });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(decisionFor(transaction));
    expect(res.headers['server-timing']).toMatch(
      /^admit;dur=[\d.]+, owner\.decide;dur=1\.50, decision;dur=[\d.]+;desc="pipeline"$/,
    );
    expect(current.decider.asked).toEqual([{ url: 'http://owner-a', transaction }]);
    expect(current.publisher.published).toEqual([]);
  });

  it('when the partition moved, then the request is asked again at the new owner within the deadline', async () => {
    current = setup();
    current.decider.behaviour.set('http://owner-a', 'not-owner');
    current.owners.next = 'http://owner-b';
    const transaction = validTransaction({ transactionId: 'tx-moved' });

    const res = await current.app.inject({
      method: 'POST',
      url: '/v1/transactions?wait=true',
      payload: transaction,
    });

    expect(res.json()).toEqual(decisionFor(transaction));
    expect(current.decider.asked.map((a) => a.url)).toEqual(['http://owner-a', 'http://owner-b']);
    expect(current.rulesOnly.asked).toEqual([]);
  });

  it('when the owner misses the deadline, then the payment is published here and the rules-only decision answers, flagged as such', async () => {
    current = setup();
    current.decider.behaviour.set('http://owner-a', 'late');
    const transaction = validTransaction({ transactionId: 'tx-slow', amount: 900 });

    const res = await current.app.inject({
      method: 'POST',
      url: '/v1/transactions?wait=true',
      payload: transaction,
    });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ transactionId: 'tx-slow', decision: 'review', mode: 'rules-only' });
    expect(current.publisher.published).toEqual([transaction]);
    expect(current.rulesOnly.asked).toEqual([transaction]);
    expect(res.headers['server-timing']).toContain('desc="rules-only (late)"');
  });

  it("when the admission used up the owner's wait, then the owner is not asked: the payment is published and the rules answer, flagged late", async () => {
    current = setup(
      new StubRulesOnly(),
      new StubOwners(),
      new SlowLedger(SYNC_DECISION_DEFAULTS.deadlineMs + 20),
    );
    const transaction = validTransaction({ transactionId: 'tx-admitted-late' });

    const res = await current.app.inject({
      method: 'POST',
      url: '/v1/transactions?wait=true',
      payload: transaction,
    });

    expect(res.json()).toMatchObject({ transactionId: 'tx-admitted-late', mode: 'rules-only' });
    expect(current.decider.asked).toEqual([]);
    expect(current.publisher.published).toEqual([transaction]);
    expect(res.headers['server-timing']).toContain('desc="rules-only (late)"');
  });

  it('when no owner is announced, then the payment is published and the rules answer at once', async () => {
    current = setup(new StubRulesOnly(), new StubOwners(null));
    const transaction = validTransaction({ transactionId: 'tx-no-owner' });

    const res = await current.app.inject({
      method: 'POST',
      url: '/v1/transactions?wait=true',
      payload: transaction,
    });

    expect(res.json()).toMatchObject({ mode: 'rules-only' });
    expect(current.publisher.published).toEqual([transaction]);
    expect(current.decider.asked).toEqual([]);
  });

  it('when no owner answers and the rules fail too, then the payment is held for review with the cause', async () => {
    current = setup(new StubRulesOnly('a rule threw'), new StubOwners(null));

    const res = await current.app.inject({
      method: 'POST',
      url: '/v1/transactions?wait=true',
      payload: validTransaction({ transactionId: 'tx-alone' }),
    });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ decision: 'review', mode: 'rules-only', modelVersion: 'none' });
    expect(res.json().reasons[0]).toMatch(
      /no decision within 40 ms \(no owner of partition 0 is announced; the rules did not answer \(a rule threw\)\)/,
    );
  });

  it('when wait has a value other than true or false, then 400 names the query parameter', async () => {
    current = setup();
    const res = await current.app.inject({
      method: 'POST',
      url: '/v1/transactions?wait=yes',
      payload: validTransaction(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^querystring\.wait /);
    expect(current.publisher.published).toHaveLength(0);
  });
});
