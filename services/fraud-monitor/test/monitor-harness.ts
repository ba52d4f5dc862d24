// The monitor as `main.ts` assembles it, on the test Kafka and Redis, and the
// simulated payments, decisions and chargebacks its integration tests feed it.
import type {
  Chargeback,
  Decision,
  EnrichedTransaction,
  FraudMonitorReport,
  Transaction,
} from '@mlsys/contracts';
import { fraud } from '@mlsys/datagen';
import { FEATURE_SPEC_VERSION, FraudFeatureEngine, loadFraudArtifacts } from '@mlsys/fraud-core';
import { createKafka, ensureTopics, type JsonProducer } from '@mlsys/kafka';
import { closeRedis, connectRedis, createRedis, unlinkMatching } from '@mlsys/redis';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { testArtifactsDir, uniqueName } from '@mlsys/testkit';
import { expect, inject } from 'vitest';
import { createMonitorConsumers, type MonitorTopics } from '../src/adapters/monitor-consumers.js';
import { registerLabelStoreMetrics } from '../src/adapters/monitor-metrics.js';
import { RedisLabelStore } from '../src/adapters/redis-label-store.js';
import { buildApp } from '../src/app.js';
import { DriftMonitor } from '../src/domain/drift.js';
import { FraudMonitor } from '../src/domain/fraud-monitor.js';
import type { LabelStore } from '../src/domain/label-store.js';
import { parseCohorts, parseWindow } from '../src/domain/windows.js';

export const artifacts = loadFraudArtifacts(testArtifactsDir('fraud'));
const infra = inject('infra');
const logger = createLogger({ service: 'fraud-monitor-test', level: 'silent' });
// The silent logger also quiets kafkajs, which logs the failed batch of the crash test.
export const kafka = createKafka({ clientId: 'fraud-monitor-test', brokers: infra.kafkaBrokers, logger });
export const driftOptions = { sampleSize: 2_000, threshold: 0.2, minSample: 500 };
export const DAY = 86_400_000;

export async function freshTopics(partitions: {
  decisions: number;
  chargebacks: number;
}): Promise<MonitorTopics> {
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
export async function startMonitor(
  producer: JsonProducer,
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
    windows: {
      quality: ['1d', '7d'].map(parseWindow),
      calibration: parseWindow('7d'),
      calibrationBins: 10,
      cohorts: parseCohorts(['7d', '30d']),
    },
    // These tests' chargebacks come 3 days after their payments, too few to learn from:
    // a prior of about a day makes their labels complete, as they are.
    maturity: { minCoverage: 0.8, prior: { medianMs: DAY, spread: 0.3 }, minChargebacks: 100 },
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

export type RunningMonitor = Awaited<ReturnType<typeof startMonitor>>;

export function warmPayments(count: number): { transaction: Transaction; isFraud: boolean }[] {
  const startAfter = Date.UTC(2018, 3, 11);
  const out: { transaction: Transaction; isFraud: boolean }[] = [];
  for (const event of fraud.simulateFraud(fraud.fraudProfile('tiny'))) {
    if (event.kind !== 'transaction' || event.transaction.eventTime < startAfter) continue;
    out.push({ transaction: event.transaction, isFraud: event.label.isFraud });
    if (out.length === count) break;
  }
  return out;
}

export function enrich(payments: readonly Transaction[], amountFactor: number): EnrichedTransaction[] {
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
export function decide(rows: readonly { transaction: Transaction; isFraud: boolean }[]): Decision[] {
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

export function chargebacksOf(rows: readonly { transaction: Transaction; isFraud: boolean }[]): Chargeback[] {
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
export function expectDirect(
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
