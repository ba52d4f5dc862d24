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
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { testArtifactsDir, uniqueName, waitUntil } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMonitorConsumers } from '../src/adapters/monitor-consumers.js';
import { buildApp } from '../src/app.js';
import { DriftMonitor } from '../src/domain/drift.js';
import { FraudMonitor } from '../src/domain/fraud-monitor.js';
import { LabelledDecisions } from '../src/domain/labelled-decisions.js';
import { parseWindow } from '../src/domain/windows.js';

const artifacts = loadFraudArtifacts(testArtifactsDir('fraud'));
const infra = inject('infra');
const kafka = createKafka({ clientId: 'fraud-monitor-test', brokers: infra.kafkaBrokers });
const logger = createLogger({ service: 'fraud-monitor-test', level: 'silent' });
const topics = {
  decisions: uniqueName('decisions'),
  chargebacks: uniqueName('chargebacks'),
  enriched: uniqueName('enriched'),
  deadLetters: uniqueName('dlq'),
};
const driftOptions = { sampleSize: 2_000, threshold: 0.2, minSample: 500 };

let producer: JsonProducer;
let consumers: ReturnType<typeof createMonitorConsumers>;
let app: ReturnType<typeof buildApp>;

beforeAll(async () => {
  await ensureTopics(kafka, [
    { name: topics.decisions, partitions: 6 },
    { name: topics.chargebacks, partitions: 3 },
    { name: topics.enriched, partitions: 6 },
    { name: topics.deadLetters, partitions: 1 },
  ]);
  producer = new JsonProducer(kafka);
  await producer.connect();
  const monitor = new FraudMonitor({
    decisions: new LabelledDecisions({ retainMs: 30 * 86_400_000, pendingChargebackMs: 90 * 86_400_000 }),
    drift: new DriftMonitor(artifacts.reference, artifacts.manifest.featureNames, driftOptions),
    driftOptions,
    qualityWindows: ['1d', '7d'].map(parseWindow),
    calibrationWindow: parseWindow('7d'),
    calibrationBins: 10,
    modelVersion: artifacts.manifest.artifactVersion,
    featureSpecVersion: artifacts.manifest.featureSpecVersion,
  });
  consumers = createMonitorConsumers({
    kafka,
    producer,
    monitor,
    topics,
    groupPrefix: uniqueName('fraud-monitor'),
    logger,
  });
  await Promise.all(consumers.map((c) => c.start()));
  app = buildApp({
    logger,
    metrics: createMetrics('fraud-monitor', { defaultMetrics: false }),
    version: 'test',
    readiness: {},
    artifacts: () => ({}),
    report: () => monitor.report(),
  });
});

afterAll(async () => {
  await app?.close();
  await Promise.all((consumers ?? []).map((c) => c.stop()));
  await producer?.disconnect();
});

async function report(): Promise<FraudMonitorReport> {
  return (await app.inject({ method: 'GET', url: '/v1/report' })).json();
}

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

describe('fraud-monitor against the real Kafka', () => {
  it('when decisions and their chargebacks are consumed, then precision and recall match a direct computation', async () => {
    const rows = warmPayments(1_500);
    const decisions: Decision[] = rows.map(({ transaction, isFraud }, i) => {
      // A decent but imperfect scorer: flags most frauds and a few legitimate payments.
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
    const chargebacks: Chargeback[] = rows
      .filter((r) => r.isFraud)
      .map(({ transaction }) => ({
        transactionId: transaction.transactionId,
        cardId: transaction.cardId,
        eventTime: transaction.eventTime,
        reportedAt: transaction.eventTime + 3 * 86_400_000,
      }));
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

    const end = Math.max(...decisions.map((d) => d.eventTime));
    for (const [i, days] of [1, 7].entries()) {
      const inWindow = decisions.filter((d) => d.eventTime > end - days * 86_400_000);
      const fraudIds = new Set(chargebacks.map((c) => c.transactionId));
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
});
