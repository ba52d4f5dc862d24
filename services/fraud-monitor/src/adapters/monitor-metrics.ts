import type { FraudMonitorReport } from '@mlsys/contracts';
import type { Metrics } from '@mlsys/telemetry';
import { Gauge } from 'prom-client';

/**
 * The report as Prometheus gauges, computed when scraped (not on every
 * message). One report per scrape sets every gauge: prom-client collects a
 * registry's metrics in registration order, so the first gauge's `collect`
 * runs before any of these gauges is read.
 */
export function registerMonitorMetrics(metrics: Metrics, report: () => FraudMonitorReport): void {
  const registers = [metrics.registry];
  const recall = new Gauge({
    name: 'fraud_monitor_recall',
    help: 'charged-back decisions that were flagged / charged-back decisions, per window',
    labelNames: ['window'],
    registers: [],
  });
  const psi = new Gauge({
    name: 'fraud_monitor_psi',
    help: 'population stability index of each model input against the training reference',
    labelNames: ['feature'],
    registers: [],
  });
  const alarm = new Gauge({
    name: 'fraud_monitor_drift_alarm',
    help: '1 when the feature PSI is above the alarm threshold (0.2) on a large enough sample',
    labelNames: ['feature'],
    registers: [],
  });
  const ece = new Gauge({
    name: 'fraud_monitor_ece',
    help: 'expected calibration error of the scores over the calibration window',
    registers: [],
  });
  const precision = new Gauge({
    name: 'fraud_monitor_precision',
    help: 'flagged decisions later charged back / flagged decisions, per window of decision event time',
    labelNames: ['window'],
    registers: [],
    collect() {
      const current = report();
      for (const gauge of [precision, recall, ece]) gauge.reset();
      for (const w of current.quality) {
        if (w.precision !== null) precision.set({ window: w.window }, w.precision);
        if (w.recall !== null) recall.set({ window: w.window }, w.recall);
      }
      for (const f of current.drift.features) {
        psi.set({ feature: f.feature }, f.psi);
        alarm.set({ feature: f.feature }, f.alarm ? 1 : 0);
      }
      if (current.calibration.ece !== null) ece.set(current.calibration.ece);
    },
  });
  // Registration order is collection order: the gauge that computes the report comes first.
  for (const gauge of [precision, recall, psi, alarm, ece]) {
    for (const registry of registers) registry.registerMetric(gauge);
  }
}
