import type { FraudMonitorReport } from '@mlsys/contracts';
import type { Metrics } from '@mlsys/telemetry';
import { Counter, Gauge } from 'prom-client';
import type { WriteOutcome } from './redis-label-store.js';

/**
 * The report as Prometheus gauges, computed when scraped (not on every
 * message). The report is asynchronous (the label join is in Redis) and
 * prom-client collects a registry's metrics concurrently, so every gauge's
 * `collect` awaits one shared report, which sets them all. A precision,
 * recall or ECE that is not yet known (or has no denominator) is absent
 * from the scrape rather than 0, so an alert on it cannot fire on labels
 * that have not arrived; the label coverage says why it is absent.
 */
export function registerMonitorMetrics(metrics: Metrics, report: () => Promise<FraudMonitorReport>): void {
  let inFlight: Promise<void> | null = null;
  const refresh = (): Promise<void> => {
    inFlight ??= report()
      .then(setAll)
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  const collect = () => refresh();
  const precision = new Gauge({
    name: 'fraud_monitor_precision',
    help: 'flagged decisions later charged back / flagged decisions, per window of decision event time',
    labelNames: ['window'],
    registers: [],
    collect,
  });
  const recall = new Gauge({
    name: 'fraud_monitor_recall',
    help: 'charged-back decisions that were flagged / charged-back decisions, per window',
    labelNames: ['window'],
    registers: [],
    collect,
  });
  const psi = new Gauge({
    name: 'fraud_monitor_psi',
    help: 'population stability index of each model input against the training reference',
    labelNames: ['feature'],
    registers: [],
    collect,
  });
  const alarm = new Gauge({
    name: 'fraud_monitor_drift_alarm',
    help: '1 when the feature PSI is above the alarm threshold (0.2) on a large enough sample',
    labelNames: ['feature'],
    registers: [],
    collect,
  });
  const ece = new Gauge({
    name: 'fraud_monitor_ece',
    help: 'expected calibration error of the scores over the calibration window',
    registers: [],
    collect,
  });
  const coverage = new Gauge({
    name: 'fraud_monitor_label_coverage',
    help: "share of the eventual chargebacks of the window's decisions expected to have arrived",
    labelNames: ['window'],
    registers: [],
    collect,
  });
  const cohortPrecision = new Gauge({
    name: 'fraud_monitor_cohort_precision',
    help: 'precision of the decisions of one age cohort (e.g. 7d-14d), once its labels have matured',
    labelNames: ['cohort'],
    registers: [],
    collect,
  });
  const cohortRecall = new Gauge({
    name: 'fraud_monitor_cohort_recall',
    help: 'recall of the decisions of one age cohort, once its labels have matured',
    labelNames: ['cohort'],
    registers: [],
    collect,
  });
  const cohortEce = new Gauge({
    name: 'fraud_monitor_cohort_ece',
    help: 'expected calibration error of one age cohort, once its labels have matured',
    labelNames: ['cohort'],
    registers: [],
    collect,
  });
  const cohortCoverage = new Gauge({
    name: 'fraud_monitor_cohort_label_coverage',
    help: "share of the eventual chargebacks of the cohort's decisions expected to have arrived",
    labelNames: ['cohort'],
    registers: [],
    collect,
  });
  const byWindow = [precision, recall, ece, coverage];
  const byCohort = [cohortPrecision, cohortRecall, cohortEce, cohortCoverage];
  function setAll(current: FraudMonitorReport): void {
    for (const gauge of [...byWindow, ...byCohort]) gauge.reset();
    for (const w of current.quality) {
      if (w.precision !== null) precision.set({ window: w.window }, w.precision);
      if (w.recall !== null) recall.set({ window: w.window }, w.recall);
      if (w.labelCoverage !== null) coverage.set({ window: w.window }, w.labelCoverage);
    }
    for (const c of current.cohorts) {
      const cohort = { cohort: c.cohort };
      if (c.precision !== null) cohortPrecision.set(cohort, c.precision);
      if (c.recall !== null) cohortRecall.set(cohort, c.recall);
      if (c.ece !== null) cohortEce.set(cohort, c.ece);
      if (c.labelCoverage !== null) cohortCoverage.set(cohort, c.labelCoverage);
    }
    for (const f of current.drift.features) {
      psi.set({ feature: f.feature }, f.psi);
      alarm.set({ feature: f.feature }, f.alarm ? 1 : 0);
    }
    if (current.calibration.ece !== null) ece.set(current.calibration.ece);
  }
  for (const gauge of [...byWindow, ...byCohort, psi, alarm]) metrics.registry.registerMetric(gauge);
}

/** What the label store did with each consumed event: a redelivery shows as `duplicate`, never as a count. */
export function registerLabelStoreMetrics(
  metrics: Metrics,
): (event: 'decision' | 'chargeback', outcome: WriteOutcome, count: number) => void {
  const events = new Counter({
    name: 'fraud_monitor_label_events_total',
    help: 'decisions and chargebacks written to the label join, by outcome (new, duplicate, labelled, waiting)',
    labelNames: ['event', 'outcome'],
    registers: [metrics.registry],
  });
  return (event, outcome, count) => events.inc({ event, outcome }, count);
}
