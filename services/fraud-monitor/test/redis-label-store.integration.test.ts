import { closeRedis, connectRedis, createRedis, type RedisClient, unlinkMatching } from '@mlsys/redis';
import { uniqueName } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisLabelStore } from '../src/adapters/redis-label-store.js';
import type { LabelReport } from '../src/domain/label-report.js';
import { MemoryLabelStore } from '../src/domain/label-store.js';
import { parseCohorts, parseWindow } from '../src/domain/windows.js';
import { chargeback, DAY, decision, HOUR, lateLabelStream, maturity, scenario, T0 } from './scenario.js';

const windows = {
  quality: ['1h', '24h', '7d'].map(parseWindow),
  calibration: parseWindow('24h'),
  calibrationBins: 10,
  cohorts: parseCohorts(['1d', '3d', '8d']),
};
const infra = inject('infra');
let redis: RedisClient;

const namespaces = new Set<string>();
const store = (namespace: string, options: { calibrationBins?: number; minCoverage?: number } = {}) => {
  namespaces.add(namespace);
  return new RedisLabelStore({
    redis,
    windows: { ...windows, calibrationBins: options.calibrationBins ?? windows.calibrationBins },
    maturity: maturity(options.minCoverage ?? 0),
    namespace,
    labelHorizonMs: 90 * DAY,
  });
};
const memoryStore = (minCoverage = 0) =>
  new MemoryLabelStore(windows, { labelHorizonMs: 90 * DAY, maturity: maturity(minCoverage) });

beforeAll(async () => {
  redis = createRedis({ url: infra.redisUrl, commandTimeoutMs: 10_000 });
  await connectRedis(redis, infra.redisUrl);
});

afterAll(async () => {
  if (!redis) return;
  for (const namespace of namespaces) await unlinkMatching(redis, `${namespace}:*`);
  await closeRedis(redis);
});

type Bins = LabelReport['calibration']['bins'];
type Group = LabelReport['quality'][number] | LabelReport['cohorts'][number];

const expectClose = (actual: number | null, expected: number | null) =>
  expected === null ? expect(actual).toBeNull() : expect(actual).toBeCloseTo(expected, 12);

function expectSameBins(actual: Bins, expected: Bins): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((bin, b) => {
    const want = expected[b]!;
    expect(bin.count).toBe(want.count);
    expect(bin.fraudRate).toBe(want.fraudRate);
    expectClose(bin.meanScore, want.meanScore);
  });
}

/** Counts and ratios of counts equal; coverage, score sums and ECE up to the order their sums were taken in. */
function expectSameGroups(actual: readonly Group[], expected: readonly Group[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((group, i) => {
    const { labelCoverage, ...want } = expected[i]!;
    const { labelCoverage: coverage, ...got } = group;
    expectClose(coverage, labelCoverage);
    if ('bins' in want && 'bins' in got) {
      const { bins, ece, ...exact } = want;
      const { bins: gotBins, ece: gotEce, ...gotExact } = got;
      expect(gotExact).toEqual(exact);
      expectSameBins(gotBins, bins);
      expectClose(gotEce, ece);
    } else {
      expect(got).toEqual(want);
    }
  });
}

function expectSameReport(actual: LabelReport, expected: LabelReport): void {
  expect(actual.streamTime).toBe(expected.streamTime);
  expect(actual.labelDelay).toEqual(expected.labelDelay);
  expectSameGroups(actual.quality, expected.quality);
  expectSameGroups(actual.cohorts, expected.cohorts);
  const { bins, ece, labelCoverage, ...calibration } = expected.calibration;
  const { bins: gotBins, ece: gotEce, labelCoverage: gotCoverage, ...gotCalibration } = actual.calibration;
  expect(gotCalibration).toEqual(calibration);
  expectSameBins(gotBins, bins);
  expectClose(gotEce, ece);
  expectClose(gotCoverage, labelCoverage);
}

describe('RedisLabelStore against the real Redis', () => {
  it('when labels arrive before and after their decisions, in batches, and twice, then the report equals the in-memory join', async () => {
    const spread = scenario(3_000, 24 * 9);
    const end = spread.at(-1)!.decision.eventTime;
    // Dense around the 1h, 24h and 3d ranges' edges, so their cut seconds hold records on both sides.
    const dense = [end - HOUR, end - DAY, end - 3 * DAY].flatMap((start, w) =>
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
    const memory = memoryStore();
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
      [`r:${T0 + 1_000}`, `h:${T0}`, `m:${T0}`, `s:${T0 + 1_000}`, `d:${T0}`, 'meta', 'stream', 'labels']
        .map((k) => `${namespace}:${k}`)
        .sort(),
    );
    for (const key of keys.filter((k) => !/:(meta|stream|labels)$/.test(k))) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(97 * DAY - 60_000);
      expect(ttl).toBeLessThanOrEqual(97 * DAY);
    }
  });

  it('when the keys were written with other score bins, then opening refuses and names what to change', async () => {
    const namespace = uniqueName('fm-test');
    await store(namespace).open();

    await expect(store(namespace, { calibrationBins: 20 }).open()).rejects.toThrow(
      /set CALIBRATION_BINS=10 or .* LABELS_NAMESPACE/,
    );
  });

  it('when chargebacks arrive 2 days after their payments, then the Redis store judges each window and cohort as the in-memory join does', async () => {
    const stream = lateLabelStream(20, 300, () => 2 * DAY);
    const redisStore = store(uniqueName('fm-test'), { minCoverage: 0.8 });
    await redisStore.open();
    const memory = memoryStore(0.8);

    for (const target of [redisStore, memory]) {
      for (let i = 0; i < stream.decisions.length; i += 500) {
        await target.addDecisions(stream.decisions.slice(i, i + 500));
      }
      await target.addChargebacks(stream.chargebacks);
    }

    const report = await redisStore.report();
    expectSameReport(report, await memory.report());
    expect(report.quality.map((q) => q.status)).toEqual(['not yet known', 'not yet known', 'not yet known']);
    expect(report.cohorts.map((c) => c.status)).toEqual(['not yet known', 'not yet known', 'known']);
    expect(report.quality[2]!.precision).toBeNull();
    expect(report.cohorts[2]!.precision).toBeGreaterThan(0);
  });

  it('when the keys were written in layout 1 (no hour counters, no delays), then opening adds the hour counters and reports the same tallies', async () => {
    const namespace = uniqueName('fm-test');
    const stream = lateLabelStream(10, 300, () => 2 * DAY);
    const writer = store(namespace, { minCoverage: 0.8 });
    await writer.open();
    await writer.addDecisions(stream.decisions);
    await writer.addChargebacks(stream.chargebacks);
    const before = await writer.report();
    // What a layout-1 join holds: the same records and minute and second counters, nothing else.
    for (const pattern of ['h:*', 'd:*']) await unlinkMatching(redis, `${namespace}:${pattern}`);
    await redis.del(`${namespace}:labels`);
    await redis.hset(`${namespace}:meta`, 'layout', '1');

    const upgraded = store(namespace, { minCoverage: 0.8 });
    await upgraded.open();
    const after = await upgraded.report();

    expect(await redis.hget(`${namespace}:meta`, 'layout')).toBe('2');
    const tallies = (r: LabelReport) =>
      [...r.quality, ...r.cohorts].map(({ decisions, flagged, frauds, truePositives }) => ({
        decisions,
        flagged,
        frauds,
        truePositives,
      }));
    expect(tallies(after)).toEqual(tallies(before));
    expect(after.calibration.bins.map((bin) => bin.count)).toEqual(
      before.calibration.bins.map((bin) => bin.count),
    );
    expect(before.labelDelay.labelTime).not.toBeNull();
    // Until a chargeback is read after the upgrade, no label time: nothing is known.
    expect(after.labelDelay.labelTime).toBeNull();
    expect(after.quality.every((q) => q.status === 'not yet known')).toBe(true);
  });
});
