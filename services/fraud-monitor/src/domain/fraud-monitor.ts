import type { Chargeback, Decision, EnrichedTransaction, FraudMonitorReport } from '@mlsys/contracts';
import type { DriftMonitor, DriftOptions } from './drift.js';
import type { LabelledDecisions } from './labelled-decisions.js';
import type { Window } from './windows.js';

export interface FraudMonitorOptions {
  decisions: LabelledDecisions;
  drift: DriftMonitor;
  driftOptions: DriftOptions;
  qualityWindows: readonly Window[];
  calibrationWindow: Window;
  calibrationBins: number;
  modelVersion: string;
  /** Feature vectors of another spec cannot be compared with the reference: they are counted, not binned. */
  featureSpecVersion: string;
}

/** The monitor's state and its one report: quality on labels, input drift, calibration. */
export class FraudMonitor {
  private foreignVectors = 0;

  constructor(private readonly options: FraudMonitorOptions) {}

  /** Enriched transactions whose features were of another spec (and so left out of the drift sample). */
  get skippedVectors(): number {
    return this.foreignVectors;
  }

  addDecisions(decisions: readonly Decision[]): void {
    for (const decision of decisions) this.options.decisions.addDecision(decision);
  }

  addChargebacks(chargebacks: readonly Chargeback[]): void {
    for (const chargeback of chargebacks) this.options.decisions.addChargeback(chargeback);
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

  report(): FraudMonitorReport {
    const { decisions, drift, driftOptions } = this.options;
    const features = drift.report();
    const calibration = decisions.calibration(this.options.calibrationWindow, this.options.calibrationBins);
    return {
      streamTime: decisions.streamTime,
      quality: this.options.qualityWindows.map((window) => decisions.quality(window)),
      drift: {
        sample: drift.sample,
        threshold: driftOptions.threshold,
        minSample: driftOptions.minSample,
        features,
        alarms: features.filter((f) => f.alarm).map((f) => f.feature),
      },
      calibration: { window: this.options.calibrationWindow.name, ...calibration },
      modelVersion: this.options.modelVersion,
    };
  }
}
