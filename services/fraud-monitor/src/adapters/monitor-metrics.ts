import type { FraudMonitorReport } from '@mlsys/contracts';
import type { Metrics } from '@mlsys/telemetry';
import { Gauge } from 'prom-client';

/**
 * The report as Prometheus gauges, computed when scraped (not on every
 * message): precision and recall per window, PSI and alarm per feature, ECE.
 */
export function registerMonitorMetrics(metrics: Metrics, report: () => FraudMonitorReport): void {
  const registers = [metrics.registry];
  // Every gauge of one scrape reads the same report, computed once.
  let cached: { at: number; report: FraudMonitorReport } | undefined;
  const latest = () => {
    const now = Date.now();
    if (!cached || now - cached.at > 500) cached = { at: now, report: report() };
    return cached.report;
  };
  new Gauge({
    name: 'fraud_monitor_precision',
    help: 'flagged decisions later charged back / flagged decisions, per window of decision event time',
    labelNames: ['window'],
    registers,
    collect() {
      this.reset();
      for (const w of latest().quality) if (w.precision !== null) this.set({ window: w.window }, w.precision);
    },
  });
  new Gauge({
    name: 'fraud_monitor_recall',
    help: 'charged-back decisions that were flagged / charged-back decisions, per window',
    labelNames: ['window'],
    registers,
    collect() {
      this.reset();
      for (const w of latest().quality) if (w.recall !== null) this.set({ window: w.window }, w.recall);
    },
  });
  new Gauge({
    name: 'fraud_monitor_psi',
    help: 'population stability index of each model input against the training reference',
    labelNames: ['feature'],
    registers,
    collect() {
      for (const f of latest().drift.features) this.set({ feature: f.feature }, f.psi);
    },
  });
  new Gauge({
    name: 'fraud_monitor_drift_alarm',
    help: '1 when the feature PSI is above the alarm threshold (0.2) on a large enough sample',
    labelNames: ['feature'],
    registers,
    collect() {
      for (const f of latest().drift.features) this.set({ feature: f.feature }, f.alarm ? 1 : 0);
    },
  });
  new Gauge({
    name: 'fraud_monitor_ece',
    help: 'expected calibration error of the scores over the calibration window',
    registers,
    collect() {
      const ece = latest().calibration.ece;
      this.reset();
      if (ece !== null) this.set(ece);
    },
  });
}
