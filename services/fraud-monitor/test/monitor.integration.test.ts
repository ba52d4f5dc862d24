import type { Chargeback, Decision, FraudMonitorReport } from '@mlsys/contracts';
import { JsonProducer } from '@mlsys/kafka';
import { uniqueName, waitUntil } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitorTopics } from '../src/adapters/monitor-consumers.js';
import type { LabelStore } from '../src/domain/label-store.js';
import {
  chargebacksOf,
  decide,
  driftOptions,
  enrich,
  expectDirect,
  freshTopics,
  kafka,
  type RunningMonitor,
  startMonitor,
  warmPayments,
} from './monitor-harness.js';

let producer: JsonProducer;
let topics: MonitorTopics;
let running: RunningMonitor[] = [];
let app: RunningMonitor['app'];
let report: () => Promise<FraudMonitorReport>;

beforeAll(async () => {
  producer = new JsonProducer(kafka);
  await producer.connect();
  topics = await freshTopics({ decisions: 6, chargebacks: 3 });
  const monitor = await startMonitor(producer, topics, uniqueName('fm-test'), uniqueName('fraud-monitor'));
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
    // All these payments are under 7 days old: the youngest cohort is the 7-day window.
    const { window: _, ...week } = seen.quality[1]!;
    expect(seen.cohorts[0]).toMatchObject({ cohort: '0-7d', ...week, status: 'known' });
    expect(seen.cohorts[1]).toMatchObject({ cohort: '7d-30d', status: 'no decisions' });
    expect(seen.labelDelay.labelTime).toBe(Math.max(...chargebacks.map((c) => c.reportedAt)));
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/fraud_monitor_recall\{window="7d",service="fraud-monitor"\} 0\.\d+/);
    expect(metrics).toMatch(/fraud_monitor_cohort_precision\{cohort="0-7d",service="fraud-monitor"\} 0\.\d+/);
    expect(metrics).toMatch(
      /fraud_monitor_cohort_label_coverage\{cohort="0-7d",service="fraud-monitor"\} (1|0\.9\d*)/,
    );
    expect(metrics).not.toContain('fraud_monitor_cohort_precision{cohort="7d-30d"');
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
    const first = await startMonitor(producer, before, namespace, uniqueName('fraud-monitor'));
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
    const second = await startMonitor(producer, after, namespace, uniqueName('fraud-monitor'));
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
    const monitor = await startMonitor(
      producer,
      topics,
      uniqueName('fm-test'),
      uniqueName('fraud-monitor'),
      crashOnce,
    );
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
