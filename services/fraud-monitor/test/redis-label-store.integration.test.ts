import { closeRedis, connectRedis, createRedis, type RedisClient, unlinkMatching } from '@mlsys/redis';
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

const namespaces = new Set<string>();
const store = (namespace: string, calibrationBins = windows.calibrationBins) => {
  namespaces.add(namespace);
  return new RedisLabelStore({
    redis,
    windows: { ...windows, calibrationBins },
    namespace,
    labelHorizonMs: 90 * DAY,
  });
};

beforeAll(async () => {
  redis = createRedis({ url: infra.redisUrl, commandTimeoutMs: 10_000 });
  await connectRedis(redis, infra.redisUrl);
});

afterAll(async () => {
  if (!redis) return;
  for (const namespace of namespaces) await unlinkMatching(redis, `${namespace}:*`);
  await closeRedis(redis);
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
    const spread = scenario(3_000, 24 * 9);
    const end = spread.at(-1)!.decision.eventTime;
    // Dense around the 1h and 24h windows' starts, so their cut seconds hold records on both sides.
    const dense = [end - HOUR, end - DAY].flatMap((start, w) =>
      Array.from({ length: 600 }, (_, k) => {
        const score = ((k * 37) % 100) / 100;
        const outcome = score >= 0.8 ? 'decline' : score >= 0.4 ? 'review' : 'approve';
        const d = decision(100_000 + w * 1_000 + k, start - 3_000 + k * 11, outcome, score);
        return { decision: d, fraud: k % 3 === 0 };
      }),
    );
    const rows = [...spread, ...dense];
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

  it('when keys are written, then each expires after the label horizon plus the longest window', async () => {
    const namespace = uniqueName('fm-test');
    const labels = store(namespace);
    await labels.open();
    const d = decision(1, T0 + 1_500, 'review', 0.5);

    await labels.addDecisions([d]);
    await labels.addChargebacks([
      chargeback(d, T0 + DAY),
      chargeback(decision(2, T0 + 1_500, 'approve', 0), T0),
    ]);

    const keys = (await redis.keys(`${namespace}:*`)).sort();
    expect(keys).toEqual(
      [`r:${T0 + 1_000}`, `m:${T0}`, `s:${T0 + 1_000}`, 'meta', 'stream']
        .map((k) => `${namespace}:${k}`)
        .sort(),
    );
    for (const key of keys.filter((k) => !k.endsWith(':meta') && !k.endsWith(':stream'))) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(97 * DAY - 60_000);
      expect(ttl).toBeLessThanOrEqual(97 * DAY);
    }
  });

  it('when the keys were written with other score bins, then opening refuses and names what to change', async () => {
    const namespace = uniqueName('fm-test');
    await store(namespace).open();

    await expect(store(namespace, 20).open()).rejects.toThrow(
      /set CALIBRATION_BINS=10 or .* LABELS_NAMESPACE/,
    );
  });
});
