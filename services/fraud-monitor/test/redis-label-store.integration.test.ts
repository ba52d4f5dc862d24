import { closeRedis, connectRedis, createRedis, type RedisClient } from '@mlsys/redis';
import { uniqueName } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisLabelStore } from '../src/adapters/redis-label-store.js';
import { type LabelReport, MemoryLabelStore } from '../src/domain/label-store.js';
import { parseWindow } from '../src/domain/windows.js';
import { chargeback, decision, HOUR, scenario, T0 } from './scenario.js';

const DAY = 24 * HOUR;
const windows = {
  quality: ['1h', '24h', '7d'].map(parseWindow),
  calibration: parseWindow('24h'),
  calibrationBins: 10,
};
const infra = inject('infra');
let redis: RedisClient;

// 7 minutes: no window starts on a bucket boundary, so every report reads an edge bucket's records.
const store = (namespace: string, overrides: Partial<{ bucketMs: number; calibrationBins: number }> = {}) =>
  new RedisLabelStore({
    redis,
    windows: { ...windows, calibrationBins: overrides.calibrationBins ?? windows.calibrationBins },
    namespace,
    bucketMs: overrides.bucketMs ?? 7 * 60_000,
    labelHorizonMs: 90 * DAY,
  });

beforeAll(async () => {
  redis = createRedis({ url: infra.redisUrl, commandTimeoutMs: 10_000 });
  await connectRedis(redis, infra.redisUrl);
});

afterAll(async () => {
  if (redis) await closeRedis(redis);
});

function expectSameReport(actual: LabelReport, expected: LabelReport): void {
  expect(actual.streamTime).toBe(expected.streamTime);
  expect(actual.quality).toEqual(expected.quality);
  expect(actual.calibration.labelled).toBe(expected.calibration.labelled);
  expect(actual.calibration.ece).toBeCloseTo(expected.calibration.ece!, 12);
  actual.calibration.bins.forEach((bin, b) => {
    const want = expected.calibration.bins[b]!;
    expect(bin.count).toBe(want.count);
    expect(bin.fraudRate).toBe(want.fraudRate);
    if (want.meanScore === null) expect(bin.meanScore).toBeNull();
    else expect(bin.meanScore).toBeCloseTo(want.meanScore, 12);
  });
}

describe('RedisLabelStore against the real Redis', () => {
  it('when labels arrive before and after their decisions, in batches, and twice, then the report equals the in-memory join', async () => {
    const rows = scenario(3_000, 24 * 9);
    const redisStore = store(uniqueName('fm-test'));
    await redisStore.open();
    const memory = new MemoryLabelStore(windows, { pendingChargebackMs: 90 * DAY });
    const early = rows
      .filter((r, i) => r.fraud && i % 2 === 0)
      .map((r) => chargeback(r.decision, r.decision.eventTime + 1));
    const late = rows
      .filter((r, i) => r.fraud && i % 2 === 1)
      .map((r) => chargeback(r.decision, r.decision.eventTime + 2));
    const decisions = rows.map((r) => r.decision);

    for (const target of [redisStore, memory]) {
      await target.addChargebacks(early);
      for (let i = 0; i < decisions.length; i += 250) await target.addDecisions(decisions.slice(i, i + 250));
      await target.addChargebacks(late);
    }
    const once = await redisStore.report();
    // Redelivery: the same batches again, in another order.
    await redisStore.addDecisions(decisions.slice(1_000, 2_000));
    await redisStore.addChargebacks([...late, ...early]);
    await redisStore.addDecisions(decisions);

    const twice = await redisStore.report();
    expectSameReport(once, await memory.report());
    expect(twice).toEqual(once);
    const end = decisions.at(-1)!.eventTime;
    expect(once.quality[2]!.frauds).toBe(
      rows.filter((r) => r.fraud && r.decision.eventTime > end - 7 * DAY).length,
    );
  });

  it('when another store opens the same keys, then it reports what the first one had written', async () => {
    const namespace = uniqueName('fm-test');
    const rows = scenario(400, 30);
    const first = store(namespace);
    await first.open();
    await first.addDecisions(rows.map((r) => r.decision));
    await first.addChargebacks(rows.filter((r) => r.fraud).map((r) => chargeback(r.decision, 3)));

    const second = store(namespace);
    await second.open();

    expect(await second.report()).toEqual(await first.report());
    expect((await second.report()).quality[1]!.decisions).toBeGreaterThan(0);
  });

  it('when a chargeback carries another event time than its decision, then it is counted in the decision bucket', async () => {
    const labels = store(uniqueName('fm-test'));
    await labels.open();
    const d = decision(1, T0 + 10 * HOUR, 'decline', 0.9);

    await labels.addDecisions([d, decision(2, T0 + 20 * HOUR, 'approve', 0.1)]);
    await labels.addChargebacks([
      { ...chargeback(d, T0 + 3 * DAY), eventTime: T0 + 19 * HOUR + 59 * 60_000 },
    ]);

    const report = await labels.report();
    expect(report.quality[1]).toMatchObject({ decisions: 2, flagged: 1, frauds: 1, truePositives: 1 });
    expect(report.quality[0]).toMatchObject({ decisions: 1, frauds: 0 });
  });

  it('when keys are written, then each expires after the label horizon plus the longest window', async () => {
    const namespace = uniqueName('fm-test');
    const labels = store(namespace, { bucketMs: 60_000 });
    await labels.open();
    const d = decision(1, T0, 'review', 0.5);

    await labels.addDecisions([d]);
    await labels.addChargebacks([chargeback(d, T0 + DAY), chargeback(decision(2, T0, 'approve', 0), T0)]);

    const keys = await redis.keys(`${namespace}:*`);
    const ttl = 97 * DAY;
    const ttls = Object.fromEntries(
      await Promise.all(keys.map(async (k) => [k, await redis.pttl(k)] as const)),
    );
    expect(Object.keys(ttls).sort()).toEqual(
      [
        `${namespace}:b:${T0}`,
        `${namespace}:ids:${T0}`,
        `${namespace}:meta`,
        `${namespace}:stream`,
        `${namespace}:tx:tx-1`,
        `${namespace}:tx:tx-2`,
      ].sort(),
    );
    for (const key of ['b', 'ids', 'tx:tx-1', 'tx:tx-2'].map(
      (k) => `${namespace}:${k}${k.startsWith('tx') ? '' : `:${T0}`}`,
    )) {
      expect(ttls[key]).toBeGreaterThan(ttl - 60_000);
      expect(ttls[key]).toBeLessThanOrEqual(ttl);
    }
  });

  it('when the keys were written with other buckets or bins, then opening refuses and names what to change', async () => {
    const namespace = uniqueName('fm-test');
    await store(namespace).open();

    await expect(store(namespace, { bucketMs: 60_000 }).open()).rejects.toThrow(
      /QUALITY_BUCKET.*LABELS_NAMESPACE/,
    );
    await expect(store(namespace, { calibrationBins: 20 }).open()).rejects.toThrow(/20 calibration bins|20/);
  });
});
