import type { Chargeback, Decision, FraudMonitorReport } from '@mlsys/contracts';
import { LabelledDecisions } from './labelled-decisions.js';
import type { Window } from './windows.js';

/** The part of the report that comes from the labelled-decision join. */
export type LabelReport = Pick<FraudMonitorReport, 'streamTime' | 'quality' | 'calibration'>;

export interface LabelWindows {
  quality: readonly Window[];
  calibration: Window;
  calibrationBins: number;
}

/**
 * Where decisions are joined with their chargebacks. Both writes must be
 * idempotent by transaction id (the consumers deliver at least once) and
 * durable once they resolve: the consumers commit their offsets after.
 */
export interface LabelStore {
  addDecisions(decisions: readonly Decision[]): Promise<void>;
  addChargebacks(chargebacks: readonly Chargeback[]): Promise<void>;
  report(): Promise<LabelReport>;
}

/**
 * The join in this process's memory (`LabelledDecisions`): for tests and
 * for a throwaway run; a restart forgets everything.
 */
export class MemoryLabelStore implements LabelStore {
  readonly decisions: LabelledDecisions;

  constructor(
    private readonly windows: LabelWindows,
    options: { pendingChargebackMs: number },
  ) {
    const longest = Math.max(...windows.quality.map((w) => w.ms), windows.calibration.ms);
    this.decisions = new LabelledDecisions({ retainMs: longest, ...options });
  }

  async addDecisions(decisions: readonly Decision[]): Promise<void> {
    for (const decision of decisions) this.decisions.addDecision(decision);
  }

  async addChargebacks(chargebacks: readonly Chargeback[]): Promise<void> {
    for (const chargeback of chargebacks) this.decisions.addChargeback(chargeback);
  }

  async report(): Promise<LabelReport> {
    const { quality, calibration, calibrationBins } = this.windows;
    return {
      streamTime: this.decisions.streamTime,
      quality: quality.map((window) => this.decisions.quality(window)),
      calibration: { window: calibration.name, ...this.decisions.calibration(calibration, calibrationBins) },
    };
  }
}
