import { compileSchema, Transaction } from '@mlsys/contracts';
import { describe, expect, it, vi } from 'vitest';
import { BatchingProducer } from '../src/workloads/batching-producer.js';
import { DecisionTracker } from '../src/workloads/decision-tracker.js';
import { regionMix, userMix } from '../src/workloads/recommendations.js';
import { transactionMix } from '../src/workloads/transactions.js';

const mixParams = {
  cards: 1000,
  cardPattern: 'card_{n}',
  terminals: 50,
  terminalPattern: 't{n}',
  ecomShare: 0.3,
  seed: 7,
};

describe('request mixes', () => {
  it('when transactions are generated, then every one is valid under the contract and carries the run id', () => {
    const validator = compileSchema(Transaction);
    const next = transactionMix(mixParams, 'lt42');
    const transactions = Array.from({ length: 2000 }, (_, i) => next(i, 1_700_000_000_000 + i));
    for (const t of transactions) expect(validator.errors(t)).toEqual([]);
    expect(transactions[5]?.transactionId).toBe('lt42-5');
    expect(transactions[0]?.cardId).toMatch(/^card_\d+$/);
    const ecom = transactions.filter((t) => t.channel === 'ecom');
    expect(ecom.length / transactions.length).toBeCloseTo(0.3, 1);
    expect(ecom.every((t) => t.deviceId !== undefined && t.ip !== undefined)).toBe(true);
  });

  it('when the same seed is used, then the same mix comes back', () => {
    const a = transactionMix(mixParams, 'lt1');
    const b = transactionMix(mixParams, 'lt1');
    expect(Array.from({ length: 50 }, (_, i) => a(i, 0))).toEqual(
      Array.from({ length: 50 }, (_, i) => b(i, 0)),
    );
  });

  it('when users are drawn, then the Zipf head dominates, new users keep their share and ids follow the pattern', () => {
    const next = userMix({
      users: 50_000,
      userPattern: 'user-{n}',
      zipfExponent: 1,
      newUserShare: 0.05,
      seed: 3,
    });
    const draws = Array.from({ length: 20_000 }, next);
    const counts = new Map<string, number>();
    for (const d of draws) counts.set(d.userId, (counts.get(d.userId) ?? 0) + 1);
    const newShare = draws.filter((d) => d.newUser).length / draws.length;
    expect(newShare).toBeGreaterThan(0.04);
    expect(newShare).toBeLessThan(0.06);
    // Rank 1 is drawn about twice as often as rank 2 (1/1 vs 1/2).
    const first = counts.get('user-0') ?? 0;
    const second = counts.get('user-1') ?? 0;
    expect(first / second).toBeGreaterThan(1.6);
    expect(first / second).toBeLessThan(2.5);
    // New users are outside the known universe.
    for (const d of draws.filter((x) => x.newUser))
      expect(Number(d.userId.slice(5))).toBeGreaterThanOrEqual(50_000);
    for (const d of draws.filter((x) => !x.newUser)) expect(Number(d.userId.slice(5))).toBeLessThan(50_000);
  });

  it("when regions are drawn, then only listed ones come back, in the generated data's user shares", () => {
    const next = regionMix(['US', 'SE', 'XX'], 5);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 30_000; i++) {
      const region = next();
      counts[region] = (counts[region] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(['SE', 'US', 'XX']);
    // US holds 30 % of the generated users, SE 5 %: six to one.
    expect((counts.US ?? 0) / (counts.SE ?? 1)).toBeGreaterThan(5);
    expect((counts.US ?? 0) / (counts.SE ?? 1)).toBeLessThan(7.2);
  });
});

describe('decision tracking', () => {
  it('when decisions come back, then firsts, duplicates, foreign ones and lost ones are told apart', () => {
    const tracker = new DecisionTracker('lt9-');
    for (const seq of [0, 1, 2, 3]) tracker.markProduced(seq);
    expect(tracker.receive('lt9-0')).toBe('first');
    expect(tracker.receive('lt9-0')).toBe('duplicate');
    expect(tracker.receive('lt8-0')).toBe('foreign');
    expect(tracker.receive('lt9-x')).toBe('foreign');
    expect(tracker.receive('lt9-2')).toBe('first');
    expect(tracker.outstanding()).toBe(2);
    expect([...tracker.outcomes()]).toEqual([true, false, true, false]);
  });

  it('when a decision arrives before its produce is acknowledged, then it still counts once produced', async () => {
    const tracker = new DecisionTracker('lt9-');
    tracker.markProduced(0);
    const settled = tracker.settled();
    expect(tracker.receive('lt9-1')).toBe('first');
    tracker.markProduced(1);
    expect(tracker.outstanding()).toBe(1);
    tracker.receive('lt9-0');
    await settled;
    expect(tracker.outstanding()).toBe(0);
  });
});

describe('batching producer', () => {
  it('when messages arrive faster than the linger, then they leave together and each learns when its batch left', async () => {
    const batches: number[][] = [];
    let now = 0;
    const producer = new BatchingProducer<number>(
      async (messages) => {
        batches.push(messages);
      },
      { maxBatch: 3, lingerMs: 60_000 },
      () => now,
    );
    const firstThree = [1, 2, 3].map((m) => producer.add(m));
    now = 5;
    const rest = [4, 5].map((m) => producer.add(m));
    now = 9;
    producer.flush();
    expect(await Promise.all(firstThree)).toEqual([0, 0, 0]);
    expect(await Promise.all(rest)).toEqual([9, 9]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('when a message waits alone, then the linger timer sends it', async () => {
    const send = vi.fn(async (_messages: string[]) => {});
    const producer = new BatchingProducer<string>(send, { maxBatch: 100, lingerMs: 1 }, () => 0);
    await producer.add('only');
    expect(send).toHaveBeenCalledWith(['only']);
  });

  it('when the batch fails, then every message in it fails with the error', async () => {
    const producer = new BatchingProducer<string>(
      async () => {
        throw new Error('broker down');
      },
      { maxBatch: 2, lingerMs: 60_000 },
      () => 0,
    );
    const results = await Promise.allSettled([producer.add('a'), producer.add('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
