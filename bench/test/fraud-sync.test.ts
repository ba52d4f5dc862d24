import type { Transaction } from '@mlsys/contracts';
import { describe, expect, it } from 'vitest';
import { openLoop } from '../src/fraud-sync/open-loop.js';
import { PaymentMix } from '../src/fraud-sync/payment-mix.js';
import { phaseMedians } from '../src/fraud-sync/phases.js';
import {
  firstSecondP99,
  holds,
  maxHoldingRate,
  type RateMeasurement,
  type RateRow,
  ratioToFloor,
  type Sample,
  summarizeRate,
} from '../src/fraud-sync/rows.js';

const sample = (latencyMs: number, overrides: Partial<Sample> = {}): Sample => ({
  latencyMs,
  ok: true,
  full: true,
  sendLagMs: 0.5,
  returning: false,
  ...overrides,
});

const measurement = (overrides: Partial<RateMeasurement>): RateMeasurement => ({
  mode: 'sync',
  batchWindowMs: 1,
  rate: 100,
  samples: Array.from({ length: 100 }, (_, i) => sample(i + 1)),
  spanMs: 1000,
  cpuSeconds: {},
  generatorCpuSeconds: 0,
  loadAvg1m: 1,
  host: null,
  ...overrides,
});

const row = (mode: 'sync' | 'floor', rate: number, p99: number, full: number | null, availability = 1) =>
  ({ mode, rate, p99_ms: p99, full_share: full, availability }) as RateRow;

describe('summarizeRate', () => {
  it('when latencies are 1..100 ms, then p50/p95/p99 are the nearest ranks', () => {
    const summary = summarizeRate(measurement({}));
    expect([summary.p50_ms, summary.p95_ms, summary.p99_ms, summary.max_ms]).toEqual([50, 95, 99, 100]);
    expect(summary.requests).toBe(100);
    expect(summary.achieved_rps).toBe(100);
  });

  it('when some requests fail or are answered rules-only, then availability counts 2xx and full_share counts full decisions of all requests', () => {
    const samples = [
      ...Array.from({ length: 97 }, () => sample(10)),
      sample(10, { full: false }),
      sample(10, { full: false }),
      sample(10_000, { ok: false, full: null }),
    ];
    const summary = summarizeRate(measurement({ samples }));
    expect(summary.availability).toBe(0.99);
    expect(summary.full_share).toBe(0.97);
  });

  it('when the mode is the floor, then there is no full share', () => {
    const summary = summarizeRate(measurement({ mode: 'floor', batchWindowMs: null }));
    expect(summary.full_share).toBeNull();
    expect(summary.batch_window_ms).toBeNull();
  });

  it('when processes spent CPU, then each gets µs per request and `all` their sum', () => {
    const summary = summarizeRate(
      measurement({ cpuSeconds: { 'txn-api': 0.05, 'feature-engine': 0.1 }, generatorCpuSeconds: 0.02 }),
    );
    expect(summary.cpu_us_per_decision).toEqual({ 'txn-api': 500, 'feature-engine': 1000, all: 1500 });
    expect(summary.generator_cpu_us_per_request).toBe(200);
  });

  it('when answers came from the owner and from fallbacks, then they are counted by source, failures left out', () => {
    const row = summarizeRate(
      measurement({
        samples: [
          sample(5, { source: 'pipeline' }),
          sample(6, { source: 'pipeline' }),
          sample(45, { source: 'rules-only (late)', full: false }),
          sample(9000, { ok: false, full: null, failure: 'timeout' }),
        ],
      }),
    );

    expect(row.answers_by_source).toEqual({ pipeline: 2, 'rules-only (late)': 1 });
  });

  it('when cards are fresh and returning, then each gets its own p99 and the returning share is reported', () => {
    const samples = [
      ...Array.from({ length: 50 }, () => sample(5)),
      ...Array.from({ length: 50 }, () => sample(20, { returning: true })),
    ];
    const summary = summarizeRate(measurement({ samples }));
    expect(summary.p99_fresh_card_ms).toBe(5);
    expect(summary.p99_returning_card_ms).toBe(20);
    expect(summary.returning_share).toBe(0.5);
  });
});

describe('firstSecondP99', () => {
  it('when the first second was slow, then its p99 is of the first `rate` samples only, and the steady p99 hides it', () => {
    // 200 req/s for 30 s: the first 200 requests (due in the first second) took 50..249 ms, the rest 5 ms.
    const samples = Array.from({ length: 6000 }, (_, i) => sample(i < 200 ? 50 + i : 5));

    const summary = summarizeRate(measurement({ rate: 200, samples }));

    expect(firstSecondP99(samples, 200)).toBe(247);
    expect(summary.first_second_p99_ms).toBe(247);
    expect(summary.p99_ms).toBeLessThan(250);
    expect(summary.p95_ms).toBe(5);
  });

  it('when the rate is fractional or the run shorter than a second, then the requests due before 1 s count', () => {
    expect(firstSecondP99([sample(1), sample(2), sample(3)], 2.5)).toBe(3);
    expect(firstSecondP99([sample(7)], 100)).toBe(7);
    expect(firstSecondP99([], 100)).toBeNull();
  });
});

describe('phaseMedians', () => {
  const decided = (latencyMs: number, wait: number) => ({
    latencyMs,
    phases: { admit: 0.5, 'owner.wait': wait, 'owner.decide': wait + 2, decision: wait + 3 },
  });

  it('when the slowest requests waited longer at the owner, then their medians show the wait and the derived hop and outside times', () => {
    const samples = [
      ...Array.from({ length: 98 }, (_, i) => decided(5 + i / 100, 1)),
      decided(60, 50),
      decided(61, 50),
      { latencyMs: 70 }, // failed: no phases, not counted
      { latencyMs: 45, phases: { admit: 0.5, decision: 44 } }, // a fallback: not the owner's time
    ];

    expect(phaseMedians(samples, 0)).toMatchObject({
      requests: 100,
      admit: 0.5,
      'owner.wait': 1,
      'owner.decide': 3,
      decision: 4,
      to_owner: 1,
    });
    expect(phaseMedians(samples, 99)).toEqual({
      requests: 2,
      admit: 0.5,
      'owner.wait': 50,
      'owner.decide': 52,
      decision: 53,
      to_owner: 1,
      outside: 6.5,
    });
  });

  it('when no request was decided by the owner, then there is no breakdown', () => {
    expect(phaseMedians([{ latencyMs: 3, phases: { admit: 0.2, decision: 2 } }], 0)).toBeNull();
  });
});

describe('max holding rate', () => {
  it('when p99 is under 50 ms with >= 99 % full decisions, then the rate holds', () => {
    expect(holds(row('sync', 100, 49.9, 0.99))).toBe(true);
    expect(holds(row('sync', 100, 50, 1))).toBe(false);
    expect(holds(row('sync', 100, 10, 0.98))).toBe(false);
  });

  it('when the floor answers, then its 2xx share stands in for the full share', () => {
    expect(holds(row('floor', 100, 10, null, 0.995))).toBe(true);
    expect(holds(row('floor', 100, 10, null, 0.9))).toBe(false);
  });

  it('when rates of both modes are mixed, then each mode gets its highest holding rate, 0 when none held', () => {
    const rows = [
      row('sync', 100, 20, 1),
      row('sync', 250, 30, 1),
      row('sync', 500, 80, 1),
      row('floor', 100, 5, null),
      row('floor', 500, 9, null),
      row('floor', 1000, 12, null),
    ];
    expect(maxHoldingRate(rows, 'sync')).toBe(250);
    expect(maxHoldingRate(rows, 'floor')).toBe(1000);
    expect(maxHoldingRate([row('sync', 100, 900, 1)], 'sync')).toBe(0);
  });

  it('when the floor held nowhere, then there is no ratio', () => {
    expect(ratioToFloor(250, 1000)).toBe(0.25);
    expect(ratioToFloor(250, 0)).toBeNull();
  });
});

describe('PaymentMix', () => {
  const template: Transaction = {
    transactionId: 'sim-1',
    eventTime: 1,
    cardId: 'sim-card',
    terminalId: 't1',
    amount: 12.5,
    currency: 'EUR',
    channel: 'ecom',
    merchantCategory: '5411',
    deviceId: 'sim-device',
    ip: '10.0.0.1',
  };
  const endless = function* () {
    for (;;) yield template;
  };

  it('when half of the payments return, then half reuse a card issued earlier and the rest are new cards', () => {
    const mix = new PaymentMix(endless(), { returningShare: 0.5, cardPrefix: 'run.' });
    const seen = new Set<string>();
    let returning = 0;
    for (let i = 0; i < 10_000; i++) {
      const { payment, returning: isReturning } = mix.next();
      expect(seen.has(payment.cardId)).toBe(isReturning);
      seen.add(payment.cardId);
      if (isReturning) returning += 1;
    }
    expect(returning / 10_000).toBeCloseTo(0.5, 2);
  });

  it("when a payment is card-not-present, then its device belongs to the card and the simulator's ids are gone", () => {
    const { payment } = new PaymentMix(endless(), { returningShare: 0, cardPrefix: 'run.' }).next();
    expect(payment).toEqual({
      cardId: 'run.c0',
      terminalId: 't1',
      amount: 12.5,
      currency: 'EUR',
      channel: 'ecom',
      merchantCategory: '5411',
      deviceId: 'run.c0.d',
      ip: '10.0.0.1',
    });
  });
});

describe('openLoop', () => {
  it('when requests are due at 1000/s, then each is sent with its due time as event time and every answer is a sample', async () => {
    const sent: Transaction[] = [];
    let seq = 0;
    const mix = new PaymentMix(
      (function* () {
        for (;;)
          yield {
            transactionId: 'sim',
            eventTime: 0,
            cardId: 'sim',
            terminalId: 't1',
            amount: 1,
            currency: 'EUR',
            channel: 'pos',
            merchantCategory: '5411',
          } satisfies Transaction;
      })(),
      { returningShare: 0.5, cardPrefix: 'run.' },
    );
    const { samples } = await openLoop({
      rate: 1000,
      seconds: 0.05,
      next: () => mix.next(),
      nextId: () => `run-${seq++}`,
      call: async (transaction) => {
        sent.push(transaction);
        return sent.length % 10 === 0 ? { failed: '503 unavailable' } : { full: true };
      },
    });
    expect(samples).toHaveLength(50);
    expect(new Set(sent.map((t) => t.transactionId)).size).toBe(50);
    const gaps = sent.slice(1).map((t, i) => t.eventTime - sent[i]!.eventTime);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(0);
    expect(sent.at(-1)!.eventTime - sent[0]!.eventTime).toBeGreaterThanOrEqual(48);
    expect(samples.filter((s) => !s.ok).map((s) => s.failure)).toEqual(Array(5).fill('503 unavailable'));
  });

  it('when an early request is answered last, then the samples still come in due order (what firstSecondP99 reads)', async () => {
    let calls = 0;
    const payment = {
      transactionId: 'sim',
      eventTime: 0,
      cardId: 'sim',
      terminalId: 't1',
      amount: 1,
      currency: 'EUR',
      channel: 'pos',
      merchantCategory: '5411',
    } satisfies Transaction;
    const { samples } = await openLoop({
      rate: 1000,
      seconds: 0.01,
      next: () => ({ payment, returning: false }),
      nextId: () => `run-${calls}`,
      // The first request is held until the last one has been answered.
      call: async () => {
        calls++;
        if (calls === 1) await new Promise((resolve) => setTimeout(resolve, 40));
        return { full: true };
      },
    });
    expect(samples).toHaveLength(10);
    expect(samples[0]!.latencyMs).toBeGreaterThan(Math.max(...samples.slice(1).map((s) => s.latencyMs)));
  });
});
