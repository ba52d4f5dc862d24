import type {
  Chargeback,
  Decision,
  EnrichedTransaction,
  FraudMonitorReport,
  Transaction,
} from '@mlsys/contracts';
import { fraud } from '@mlsys/datagen';
import { FEATURE_SPEC_VERSION, FraudFeatureEngine, loadFraudArtifacts } from '@mlsys/fraud-core';
import { createKafka, ensureTopics, JsonProducer } from '@mlsys/kafka';
import { closeRedis, connectRedis, createRedis, unlinkMatching } from '@mlsys/redis';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { testArtifactsDir, uniqueName, waitUntil } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMonitorConsumers, type MonitorTopics } from '../src/adapters/monitor-consumers.js';
import { registerLabelStoreMetrics } from '../src/adapters/monitor-metrics.js';
import { RedisLabelStore } from '../src/adapters/redis-label-store.js';
import { buildApp } from '../src/app.js';
import { DriftMonitor } from '../src/domain/drift.js';
import { FraudMonitor } from '../src/domain/fraud-monitor.js';
import type { LabelStore } from '../src/domain/label-store.js';
import { parseWindow } from '../src/domain/windows.js';

const artifacts = loadFraudArtifacts(testArtifactsDir('fraud'));
const infra = inject('infra');
const logger = createLogger({ service: 'fraud-monitor-test', level: 'silent' });
// The silent logger also quiets kafkajs, which logs the failed batch of the crash test.
const kafka = createKafka({ clientId: 'fraud-monitor-test', brokers: infra.kafkaBrokers, logger });
const driftOptions = { sampleSize: 2_000, threshold: 0.2, minSample: 500 };
const DAY = 86_400_000;

async function freshTopics(partitions: { decisions: number; chargebacks: number }): Promise<MonitorTopics> {
  const topics = {
    decisions: uniqueName('decisions'),
    chargebacks: uniqueName('chargebacks'),
    enriched: uniqueName('enriched'),
    deadLetters: uniqueName('dlq'),
  };
  await ensureTopics(kafka, [
    { name: topics.decisions, partitions: partitions.decisions },
    { name: topics.chargebacks, partitions: partitions.chargebacks },
    { name: topics.enriched, partitions: 6 },
    { name: topics.deadLetters, partitions: 1 },
  ]);
  return topics;
}

/** What `main.ts` assembles: the Redis join, the consumers and the app; `stop` shuts them down in its order. */
async function startMonitor(
  topics: MonitorTopics,
  namespace: string,
  groupPrefix: string,
  wrap: (store: LabelStore) => LabelStore = (store) => store,
) {
  const redis = createRedis({ url: infra.redisUrl, commandTimeoutMs: 10_000 });
  await connectRedis(redis, infra.redisUrl);
  const metrics = createMetrics('fraud-monitor', { defaultMetrics: false });
  const labels = new RedisLabelStore({
    redis,
    windows: { quality: ['1d', '7d'].map(parseWindow), calibration: parseWindow('7d'), calibrationBins: 10 },
    namespace,
    labelHorizonMs: 90 * DAY,
    onWritten: registerLabelStoreMetrics(metrics),
  });
  await labels.open();
  const monitor = new FraudMonitor({
    labels: wrap(labels),
    drift: new DriftMonitor(artifacts.reference, artifacts.manifest.featureNames, driftOptions),
    driftOptions,
    modelVersion: artifacts.manifest.artifactVersion,
    featureSpecVersion: artifacts.manifest.featureSpecVersion,
  });
  const consumers = createMonitorConsumers({
    kafka,
    producer,
    monitor,
    topics,
    groupPrefix,
    instanceId: uniqueName('instance'),
    logger,
  });
  await Promise.all(consumers.map((c) => c.start()));
  const app = buildApp({
    logger,
    metrics,
    version: 'test',
    readiness: {},
    artifacts: () => ({}),
    report: () => monitor.report(),
  });
  return {
    app,
    report: async (): Promise<FraudMonitorReport> =>
      (await app.inject({ method: 'GET', url: '/v1/report' })).json(),
    stop: async () => {
      await app.close();
      await Promise.all(consumers.map((c) => c.stop()));
      await closeRedis(redis);
    },
    /** Drops the join's keys (after `stop`; another monitor on the namespace must not be running). */
    forget: async () => {
      const cleaner = createRedis({ url: infra.redisUrl });
      await connectRedis(cleaner, infra.redisUrl);
      await unlinkMatching(cleaner, `${namespace}:*`);
      await closeRedis(cleaner);
    },
  };
}

let producer: JsonProducer;
let topics: MonitorTopics;
let running: Awaited<ReturnType<typeof startMonitor>>[] = [];
let app: Awaited<ReturnType<typeof startMonitor>>['app'];
let report: () => Promise<FraudMonitorReport>;

beforeAll(async () => {
  producer = new JsonProducer(kafka);
  await producer.connect();
  topics = await freshTopics({ decisions: 6, chargebacks: 3 });
  const monitor = await startMonitor(topics, uniqueName('fm-test'), uniqueName('fraud-monitor'));
  running.push(monitor);
  ({ app, report } = monitor);
});

afterAll(async () => {
  for (const monitor of running) {
    await monitor.stop();
    await monitor.forget();
  }
  running = [];
  await producer?.disconnect();
});

/** Simulated payments after the first ten days, when the windows have warmed up as in training. */
function warmPayments(count: number): { transaction: Transaction; isFraud: boolean }[] {
  const startAfter = Date.UTC(2018, 3, 11);
  const out: { transaction: Transaction; isFraud: boolean }[] = [];
  for (const event of fraud.simulateFraud(fraud.fraudProfile('tiny'))) {
    if (event.kind !== 'transaction' || event.transaction.eventTime < startAfter) continue;
    out.push({ transaction: event.transaction, isFraud: event.label.isFraud });
    if (out.length === count) break;
  }
  return out;
}

function enrich(payments: readonly Transaction[], amountFactor: number): EnrichedTransaction[] {
  const engine = new FraudFeatureEngine({ terminals: artifacts.terminals });
  return payments.map((payment) => {
    const transaction = { ...payment, amount: Math.round(payment.amount * amountFactor * 100) / 100 };
    const result = engine.apply(transaction);
    if (result.status !== 'applied') throw new Error('each simulated payment is new');
    return {
      transaction,
      featureSpecVersion: FEATURE_SPEC_VERSION,
      features: Array.from(result.features),
      enrichedAt: 0,
    };
  });
}

/** A decent but imperfect scorer: flags most frauds and a few legitimate payments. */
function decide(rows: readonly { transaction: Transaction; isFraud: boolean }[]): Decision[] {
  return rows.map(({ transaction, isFraud }, i) => {
    const flagged = isFraud ? i % 4 !== 0 : i % 23 === 0;
    return {
      transactionId: transaction.transactionId,
      cardId: transaction.cardId,
      decision: flagged ? 'review' : 'approve',
      score: flagged ? 0.7 : 0.02,
      reasons: [],
      mode: 'full',
      modelVersion: 'm',
      rulesVersion: 'r',
      eventTime: transaction.eventTime,
      decidedAt: transaction.eventTime + 10,
    };
  });
}

function chargebacksOf(rows: readonly { transaction: Transaction; isFraud: boolean }[]): Chargeback[] {
  return rows
    .filter((r) => r.isFraud)
    .map(({ transaction }) => ({
      transactionId: transaction.transactionId,
      cardId: transaction.cardId,
      eventTime: transaction.eventTime,
      reportedAt: transaction.eventTime + 3 * DAY,
    }));
}

/** The 1d and 7d windows computed straight from what was produced. */
function expectDirect(
  seen: FraudMonitorReport,
  decisions: readonly Decision[],
  chargebacks: readonly Chargeback[],
) {
  const end = Math.max(...decisions.map((d) => d.eventTime));
  const fraudIds = new Set(chargebacks.map((c) => c.transactionId));
  for (const [i, days] of [1, 7].entries()) {
    const inWindow = decisions.filter((d) => d.eventTime > end - days * DAY);
    const flagged = inWindow.filter((d) => d.decision !== 'approve');
    const truePositives = flagged.filter((d) => fraudIds.has(d.transactionId)).length;
    const frauds = inWindow.filter((d) => fraudIds.has(d.transactionId)).length;
    expect(seen.quality[i]).toMatchObject({
      decisions: inWindow.length,
      flagged: flagged.length,
      frauds,
      truePositives,
    });
    expect(seen.quality[i]!.precision).toBeCloseTo(truePositives / flagged.length, 12);
    expect(seen.quality[i]!.recall).toBeCloseTo(truePositives / frauds, 12);
  }
}

describe('fraud-monitor against the real Kafka and Redis', () => {
  it('when decisions and their chargebacks are consumed, then precision and recall match a direct computation', async () => {
    const rows = warmPayments(1_500);
    const decisions = decide(rows);
    const chargebacks = chargebacksOf(rows);
    await producer.send(
      topics.chargebacks,
      chargebacks.map((c) => ({ key: c.cardId, value: c })),
    );
    await producer.send(
      topics.decisions,
      decisions.map((d) => ({ key: d.cardId, value: d })),
    );

    const seen = await waitUntil(
      async () => {
        const r = await report();
        return (
          r.quality[1]!.frauds === chargebacks.length && r.quality[1]!.decisions === decisions.length && r
        );
      },
      { what: 'the monitor to read every decision and chargeback' },
    );

    expectDirect(seen, decisions, chargebacks);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/fraud_monitor_recall\{window="7d",service="fraud-monitor"\} 0\.\d+/);
  });

  it('when amounts shift, then the drift alarm is raised on the amount and not before', async () => {
    const payments = warmPayments(driftOptions.sampleSize).map((r) => r.transaction);
    await producer.send(
      topics.enriched,
      enrich(payments, 1).map((e) => ({ key: e.transaction.cardId, value: e })),
    );
    const before = await waitUntil(
      async () => {
        const r = await report();
        return r.drift.sample === driftOptions.sampleSize && r;
      },
      { what: 'the drift sample to fill' },
    );

    await producer.send(
      topics.enriched,
      enrich(payments, 4).map((e) => ({ key: e.transaction.cardId, value: e })),
    );
    const after = await waitUntil(
      async () => {
        const r = await report();
        return r.drift.alarms.includes('amount') && r;
      },
      { what: 'the amount drift alarm' },
    );

    const amountPsi = (r: FraudMonitorReport) => r.drift.features.find((f) => f.feature === 'amount')!.psi;
    expect(before.drift.alarms).not.toContain('amount');
    expect(amountPsi(before)).toBeLessThan(0.2);
    expect(amountPsi(after)).toBeGreaterThan(0.2);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('fraud_monitor_drift_alarm{feature="amount",service="fraud-monitor"} 1');
  });

  it('when the monitor restarts on topics that no longer hold the old records, then it reports the same from Redis, counts a late chargeback once, and ignores redelivery', async () => {
    const namespace = uniqueName('fm-test');
    const before = await freshTopics({ decisions: 3, chargebacks: 3 });
    const first = await startMonitor(before, namespace, uniqueName('fraud-monitor'));
    running.push(first);
    const rows = warmPayments(800);
    const decisions = decide(rows);
    const chargebacks = chargebacksOf(rows);
    const late = chargebacks
      .filter((c) => decisions.find((d) => d.transactionId === c.transactionId)!.decision === 'review')
      .at(-1)!;
    const onTime = chargebacks.filter((c) => c !== late);
    await producer.send(
      before.chargebacks,
      onTime.map((c) => ({ key: c.cardId, value: c })),
    );
    await producer.send(
      before.decisions,
      decisions.map((d) => ({ key: d.cardId, value: d })),
    );
    const beforeRestart = await waitUntil(
      async () => {
        const r = await first.report();
        return r.quality[1]!.frauds === onTime.length && r.quality[1]!.decisions === decisions.length && r;
      },
      { what: 'the first monitor to read every decision and chargeback' },
    );
    expectDirect(beforeRestart, decisions, onTime);

    // Stop it (consumers commit and leave), start another on empty topics: only Redis remembers.
    await first.stop();
    running = running.filter((m) => m !== first);
    const after = await freshTopics({ decisions: 1, chargebacks: 1 });
    const second = await startMonitor(after, namespace, uniqueName('fraud-monitor'));
    running.push(second);
    const restarted = await second.report();
    expect(restarted.quality).toEqual(beforeRestart.quality);
    expect(restarted.calibration).toEqual(beforeRestart.calibration);
    expect(restarted.streamTime).toBe(beforeRestart.streamTime);

    // After the restart: the late label, redelivered decisions and chargebacks, then a marker pair
    // (one partition per topic, so the marker is read after everything sent before it).
    const marker: Decision = {
      ...decisions.at(-1)!,
      transactionId: uniqueName('marker'),
      decision: 'decline',
      score: 0.9,
    };
    const markerChargeback: Chargeback = {
      ...late,
      transactionId: marker.transactionId,
      eventTime: marker.eventTime,
    };
    const redelivered = onTime.slice(0, 50);
    await producer.send(
      after.chargebacks,
      [late, ...redelivered, late, markerChargeback].map((c) => ({ key: c.cardId, value: c })),
    );
    await producer.send(
      after.decisions,
      [...decisions.slice(-200), marker].map((d) => ({ key: d.cardId, value: d })),
    );
    const settled = await waitUntil(
      async () => {
        const r = await second.report();
        return (
          r.quality[1]!.decisions === decisions.length + 1 &&
          r.quality[1]!.frauds === chargebacks.length + 1 &&
          r
        );
      },
      { what: 'the restarted monitor to read the late chargeback and the markers' },
    );

    expectDirect(settled, [...decisions, marker], [...chargebacks, markerChargeback]);
    expect(settled.quality[1]!.truePositives).toBe(beforeRestart.quality[1]!.truePositives + 2);
    const metrics = (await second.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain(
      'fraud_monitor_label_events_total{event="decision",outcome="duplicate",service="fraud-monitor"} 200',
    );
    expect(metrics).toContain(
      `fraud_monitor_label_events_total{event="chargeback",outcome="duplicate",service="fraud-monitor"} ${redelivered.length + 1}`,
    );
  });

  it('when a batch fails after the store wrote it and before its offsets are committed, then it is read again and counted once', async () => {
    const topics = await freshTopics({ decisions: 1, chargebacks: 1 });
    let failures = 0;
    // The store has the batch, then the handler fails as a crash before the commit would.
    const crashOnce = (store: LabelStore): LabelStore => ({
      addDecisions: async (decisions) => {
        await store.addDecisions(decisions);
        if (failures === 0) {
          failures += 1;
          throw new Error('crash between the Redis write and the offset commit');
        }
      },
      addChargebacks: (chargebacks) => store.addChargebacks(chargebacks),
      report: () => store.report(),
    });
    const monitor = await startMonitor(topics, uniqueName('fm-test'), uniqueName('fraud-monitor'), crashOnce);
    running.push(monitor);
    const rows = warmPayments(600);
    const decisions = decide(rows);
    const chargebacks = chargebacksOf(rows);

    await producer.send(
      topics.chargebacks,
      chargebacks.map((c) => ({ key: c.cardId, value: c })),
    );
    await producer.send(
      topics.decisions,
      decisions.map((d) => ({ key: d.cardId, value: d })),
    );
    const metrics = async () => (await monitor.app.inject({ method: 'GET', url: '/metrics' })).body;
    const duplicates = await waitUntil(
      async () =>
        /fraud_monitor_label_events_total\{event="decision",outcome="duplicate",service="fraud-monitor"\} (\d+)/.exec(
          await metrics(),
        ),
      { what: 'the failed batch to be read again' },
    );
    const seen = await waitUntil(
      async () => {
        const r = await monitor.report();
        return (
          r.quality[1]!.decisions === decisions.length && r.quality[1]!.frauds === chargebacks.length && r
        );
      },
      { what: 'every decision and chargeback' },
    );

    expect(failures).toBe(1);
    expect(Number(duplicates[1])).toBeGreaterThan(0);
    expectDirect(seen, decisions, chargebacks);
  });
});
