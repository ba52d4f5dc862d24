import type { Chargeback, Transaction } from '@mlsys/contracts';
import { fraud } from '@mlsys/datagen';
import { waitUntil } from '@mlsys/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { TrafficRunner } from '../src/adapters/traffic-runner.js';

/** txn-api and rec-api as the runner sees them: every payment approved, every list one song long. */
function fakeServices() {
  const payments: Array<{ transaction: Transaction; at: number }> = [];
  const calls: string[] = [];
  const stub = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    if (url.includes('/v1/transactions')) {
      payments.push({ transaction: JSON.parse(String(init?.body)) as Transaction, at: Date.now() });
      return Response.json({ decision: 'approve' });
    }
    if (url.includes('/v1/recommendations/'))
      return Response.json({ degraded: false, items: [{ songId: 1 }] });
    return Response.json({}, { status: 202 });
  }) as typeof fetch;
  return { payments, calls, stub };
}

let runner: TrafficRunner | undefined;
afterEach(async () => {
  await runner?.stop();
  runner = undefined;
});

function start(services: ReturnType<typeof fakeServices>, reported: Chargeback[], onReport?: () => void) {
  runner = new TrafficRunner({
    recApiUrl: 'http://rec-api.test',
    featureStoreUrl: 'http://feature-store.test',
    txnApiUrl: 'http://txn-api.test',
    nextListener: () => ({ userId: '1', region: 'US', newUser: false }),
    fraudProfile: fraud.fraudProfile('tiny'),
    reportChargebacks: async (chargebacks) => {
      reported.push(...chargebacks);
      onReport?.();
    },
    idPrefix: 'run-',
    maxInFlight: 100_000,
    tickMs: 5,
    listenShare: 1,
    random: () => 0,
    fetch: services.stub,
  });
  return runner;
}

describe('the demo traffic runner', () => {
  it("when fraud traffic runs, then the simulator's payments go to txn-api and its chargebacks follow days later in simulated time, for payments that were sent", async () => {
    const services = fakeServices();
    const reported: Chargeback[] = [];
    // The simulated day as the first chargeback is reported: read at the end instead, a test starved
    // of CPU could meet the simulation after it ran out and started over at day 0 (a flake under load).
    let dayOfFirstChargeback: number | undefined;
    start(services, reported, () => {
      dayOfFirstChargeback ??= runner!.status().fraud.simulatedDay;
    }).update({ fraud: 20_000 });
    await waitUntil(() => reported.length >= 3, { timeoutMs: 30_000, what: 'three chargebacks' });
    const status = runner!.status();

    const sent = new Map(services.payments.map((p) => [p.transaction.transactionId, p]));
    for (const chargeback of reported) {
      const payment = sent.get(chargeback.transactionId)!;
      expect(payment.transaction.cardId).toBe(chargeback.cardId);
      // The chargeback is about the payment as it was sent: its wall-clock time, reported later.
      expect(chargeback.eventTime).toBe(payment.transaction.eventTime);
      expect(chargeback.reportedAt).toBeGreaterThanOrEqual(chargeback.eventTime);
    }
    expect(dayOfFirstChargeback).toBeGreaterThanOrEqual(1);
    expect(services.payments.every((p) => p.transaction.transactionId.startsWith('run-'))).toBe(true);
    expect(status.fraud.decisions.approve).toBeGreaterThan(0);
  });

  it('when the chargeback feed is stopped, then chargebacks are withheld and counted, not reported', async () => {
    const services = fakeServices();
    const reported: Chargeback[] = [];
    start(services, reported).update({ fraud: 20_000, chargebacks: false });

    await waitUntil(() => runner!.status().fraud.chargebacksWithheld >= 3, {
      timeoutMs: 30_000,
      what: 'withheld chargebacks',
    });
    expect(reported).toEqual([]);
  });

  it('when drift is injected, then amounts are multiplied', async () => {
    const services = fakeServices();
    start(services, []).update({ fraud: 2_000, amountFactor: 3 });
    await waitUntil(() => services.payments.length >= 200, { timeoutMs: 10_000, what: '200 payments' });
    const plain = [...fraud.simulateFraud(fraud.fraudProfile('tiny'))]
      .filter((e) => e.kind === 'transaction')
      .slice(0, 50);
    for (const [i, event] of plain.entries())
      if (event.kind === 'transaction')
        expect(services.payments[i]!.transaction.amount).toBeCloseTo(event.transaction.amount * 3, 1);
  });

  it('when recs traffic runs, then recommendations are asked at the rate and listens reported for the answers', async () => {
    const services = fakeServices();
    start(services, []).update({ recs: 200 });
    await waitUntil(() => runner!.status().recs.listens >= 20, { timeoutMs: 10_000, what: '20 listens' });
    await runner!.stop();
    const recommendations = services.calls.filter((c) => c.startsWith('GET /v1/recommendations/')).length;
    expect(services.calls.filter((c) => c === 'POST /v1/events/listen').length).toBe(
      runner!.status().recs.listens,
    );
    expect(recommendations).toBeGreaterThanOrEqual(20);
  });
});
