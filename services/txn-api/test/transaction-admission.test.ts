import type { Transaction } from '@mlsys/contracts';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { waitUntil } from '@mlsys/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { DEFAULT_MAX_EVENT_TIME_SKEW_MS } from '../src/domain/event-time-skew.js';
import type { TransactionLedger } from '../src/domain/transaction-ledger.js';
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

/** The serving clock: the fakes' payments happened exactly now. */
const NOW = validTransaction().eventTime;

function setup(
  options: { ledger?: TransactionLedger; publisher?: RecordingPublisher; publishTimeoutMs?: number } = {},
) {
  const publisher = options.publisher ?? new RecordingPublisher();
  const decisions = new MemoryDecisionStore();
  const ledger = options.ledger ?? new MemoryTransactionLedger();
  const app = buildApp({
    publisher,
    decisions,
    ledger,
    owners: new StubOwners(null),
    decider: new StubOwnerDecider(),
    rulesOnly: new StubRulesOnly(),
    syncDeadlineMs: 20,
    publishTimeoutMs: options.publishTimeoutMs,
    clock: () => NOW,
    logger: createLogger({ service: 'txn-api', level: 'silent' }),
    metrics: createMetrics('txn-api', { defaultMetrics: false }),
    version: 'test',
    readiness: {},
  });
  const post = (payload: Transaction, query = '') =>
    app.inject({ method: 'POST', url: `/v1/transactions${query}`, payload });
  return { app, post, publisher, decisions, ledger };
}

/** A broker that holds each produce until the test lets it through. */
class GatedPublisher extends RecordingPublisher {
  private open!: () => void;
  private readonly gate = new Promise<void>((resolve) => {
    this.open = resolve;
  });
  producing = false;
  override async publish(transaction: Transaction): Promise<void> {
    this.producing = true;
    await this.gate;
    await super.publish(transaction);
  }
  letThrough(): void {
    this.open();
  }
}

let current: ReturnType<typeof setup> | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

describe('POST /v1/transactions: a transaction id is one payment', () => {
  it('when the same transaction is sent twice, then both answer 202 alike and it is produced once', async () => {
    current = setup();
    const first = await current.post(validTransaction());
    const repeat = await current.post(validTransaction());

    expect(first.statusCode).toBe(202);
    expect(repeat.statusCode).toBe(202);
    expect(repeat.json()).toEqual(first.json());
    expect(current.publisher.published).toEqual([validTransaction()]);
    expect(await current.app.inject({ method: 'GET', url: '/metrics' }).then((r) => r.body)).toContain(
      'txn_api_admissions_total{outcome="repeat",service="txn-api"} 1',
    );
  });

  it('when a transaction id is reused with a different body, then 409 names the id and the first body stays the only one produced', async () => {
    current = setup();
    await current.post(validTransaction());

    const res = await current.post(validTransaction({ amount: 999 }));

    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'conflict' });
    expect(res.json().error.message).toMatch(/^transaction tx-1 was already submitted with a different body/);
    expect(current.publisher.published).toEqual([validTransaction()]);
  });

  it('when a repeat waits and the decision is stored, then 200 answers with that decision and nothing is produced again', async () => {
    current = setup();
    await current.post(validTransaction());
    await current.decisions.put([decisionFor(validTransaction())]);

    const res = await current.post(validTransaction(), '?wait=true');

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(decisionFor(validTransaction()));
    expect(current.publisher.published).toHaveLength(1);
  });

  it('when a repeat waits and no decision is stored yet, then 202 points at where it will be, and nothing is produced again', async () => {
    current = setup();
    await current.post(validTransaction());

    const res = await current.post(validTransaction(), '?wait=true');

    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      transactionId: 'tx-1',
      status: 'accepted',
      decisionUrl: '/v1/decisions/tx-1',
    });
    expect(current.publisher.published).toHaveLength(1);
  });

  it('when producing fails, then the id is released and the retry is produced', async () => {
    current = setup();
    current.publisher.failNext = new Error('broker down');

    const failed = await current.post(validTransaction());
    const retry = await current.post(validTransaction());

    expect(failed.statusCode).toBe(503);
    expect(failed.json().error.message).toMatch(
      /transaction tx-1 could not be written to the payment log \(broker down\)/,
    );
    expect(retry.statusCode).toBe(202);
    expect(current.publisher.published).toEqual([validTransaction()]);
  });

  it('when the log does not take the payment within the publish timeout (a broker lost, its partitions without a leader), then 503 comes at the timeout, not when the producer gives up, and the retry goes through', async () => {
    const publisher = new GatedPublisher();
    current = setup({ publisher, publishTimeoutMs: 30 });

    for (const [id, query] of [
      ['tx-stuck', ''],
      ['tx-stuck-sync', '?wait=true'],
    ] as const) {
      const started = performance.now();
      const stuck = await current.post(validTransaction({ transactionId: id }), query);
      expect(stuck.statusCode).toBe(503);
      expect(stuck.json().error.message).toContain(`no acknowledgement within 30 ms`);
      expect(performance.now() - started).toBeLessThan(5_000);
    }
    publisher.letThrough();
    const retry = await current.post(validTransaction({ transactionId: 'tx-stuck' }));
    expect(retry.statusCode).toBe(202);
  });

  it('when a copy arrives while the first is still being produced, then 409 says it is in flight, and once produced a copy is a repeat', async () => {
    const publisher = new GatedPublisher();
    current = setup({ publisher });
    const first = current.post(validTransaction());
    await waitUntil(() => publisher.producing, { what: 'the first request to be producing' });

    const during = await current.post(validTransaction());
    publisher.letThrough();
    const after = [await first, await current.post(validTransaction())];

    expect(during.statusCode).toBe(409);
    expect(during.json().error.code).toBe('in_flight');
    expect(during.json().error.message).toContain('transaction tx-1 is still being accepted');
    expect(after.map((r) => r.statusCode)).toEqual([202, 202]);
    expect(publisher.published).toHaveLength(1);
  });

  it('when the ledger does not answer, then 503 says nothing was produced', async () => {
    const broken: TransactionLedger = {
      admit: () => Promise.reject(new Error('Command timed out')),
      confirm: async () => {},
      release: async () => {},
    };
    current = setup({ ledger: broken });

    const res = await current.post(validTransaction());

    expect(res.statusCode).toBe(503);
    expect(res.json().error.message).toContain('nothing was produced: retry');
    expect(current.publisher.published).toHaveLength(0);
  });
});

describe('POST /v1/transactions: eventTime against the serving clock', () => {
  it('when eventTime is further ahead than the allowed skew, then 400 names eventTime with the limit, nothing is produced and the id stays free', async () => {
    current = setup();
    const ahead = validTransaction({ eventTime: NOW + DEFAULT_MAX_EVENT_TIME_SKEW_MS + 1 });

    const res = await current.post(ahead);

    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
    expect(res.json().error.fields).toEqual([
      {
        field: 'eventTime',
        reason: expect.stringMatching(
          /^must be at most 300000 ms ahead of the server clock \(2023-11-14T22:13:20\.000Z\), is 300001 ms ahead/,
        ),
      },
    ]);
    expect(current.publisher.published).toHaveLength(0);
    expect((await current.post(validTransaction())).statusCode).toBe(202);
  });

  it('when eventTime is in the year 5138, then 400 names eventTime', async () => {
    current = setup();
    const res = await current.post(validTransaction({ eventTime: 100_000_000_000_000 }), '?wait=true');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields.map((f: { field: string }) => f.field)).toEqual(['eventTime']);
  });

  it('when eventTime is ahead but within the skew, then the payment is accepted', async () => {
    current = setup();
    const res = await current.post(validTransaction({ eventTime: NOW + DEFAULT_MAX_EVENT_TIME_SKEW_MS }));
    expect(res.statusCode).toBe(202);
    expect(current.publisher.published).toHaveLength(1);
  });
});
