import type { Chargeback, Decision, EnrichedTransaction, FraudMonitorReport } from '@mlsys/contracts';
import type { DriftMonitor, DriftOptions } from './drift.js';
import type { LabelStore } from './label-store.js';

export interface FraudMonitorOptions {
  /** The decision/chargeback join (windows, cohorts and label maturity are the store's). */
  labels: LabelStore;
  drift: DriftMonitor;
  driftOptions: DriftOptions;
  modelVersion: string;
  /** Feature vectors of another spec cannot be compared with the reference: they are counted, not binned. */
  featureSpecVersion: string;
}

/** The monitor's state and its one report: quality on matured labels, input drift, calibration. */
export class FraudMonitor {
  private foreignVectors = 0;

  constructor(private readonly options: FraudMonitorOptions) {}

  /** Enriched transactions whose features were of another spec (and so left out of the drift sample). */
  get skippedVectors(): number {
    return this.foreignVectors;
  }

  /** Resolves once the decisions are durable in the store (the caller commits their offsets after). */
  addDecisions(decisions: readonly Decision[]): Promise<void> {
    return this.options.labels.addDecisions(decisions);
  }

  /** Resolves once the chargebacks are durable in the store. */
  addChargebacks(chargebacks: readonly Chargeback[]): Promise<void> {
    return this.options.labels.addChargebacks(chargebacks);
  }

  addEnriched(transactions: readonly EnrichedTransaction[]): void {
    for (const transaction of transactions) {
      if (transaction.featureSpecVersion === this.options.featureSpecVersion) {
        this.options.drift.add(transaction.features);
      } else {
        this.foreignVectors += 1;
      }
    }
  }

  async report(): Promise<FraudMonitorReport> {
    const { labels, drift, driftOptions } = this.options;
    const labelled = await labels.report();
    const features = drift.report();
    return {
      streamTime: labelled.streamTime,
      quality: labelled.quality,
      cohorts: labelled.cohorts,
      labelDelay: labelled.labelDelay,
      drift: {
        sample: drift.sample,
        threshold: driftOptions.threshold,
        minSample: driftOptions.minSample,
        features,
        alarms: features.filter((f) => f.alarm).map((f) => f.feature),
      },
      calibration: labelled.calibration,
      modelVersion: this.options.modelVersion,
    };
  }
}
