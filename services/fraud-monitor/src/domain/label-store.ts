import type { Chargeback, Decision } from '@mlsys/contracts';
import {
  buildLabelReport,
  type LabelMaturityOptions,
  type LabelReport,
  type LabelWindows,
  longestRangeMs,
} from './label-report.js';
import { LabelledDecisions } from './labelled-decisions.js';

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

export interface MemoryLabelStoreOptions {
  /** How long after a payment its chargeback may come (`LABEL_HORIZON`). */
  labelHorizonMs: number;
  maturity: LabelMaturityOptions;
}

/**
 * The join in this process's memory (`LabelledDecisions`): for tests and
 * for a throwaway run; a restart forgets everything.
 */
export class MemoryLabelStore implements LabelStore {
  readonly decisions: LabelledDecisions;

  constructor(
    private readonly windows: LabelWindows,
    private readonly options: MemoryLabelStoreOptions,
  ) {
    this.decisions = new LabelledDecisions({
      retainMs: longestRangeMs(windows),
      labelHorizonMs: options.labelHorizonMs,
    });
  }

  async addDecisions(decisions: readonly Decision[]): Promise<void> {
    for (const decision of decisions) this.decisions.addDecision(decision);
  }

  async addChargebacks(chargebacks: readonly Chargeback[]): Promise<void> {
    for (const chargeback of chargebacks) this.decisions.addChargeback(chargeback);
  }

  async report(): Promise<LabelReport> {
    const joined = this.decisions;
    return buildLabelReport(
      {
        streamTime: joined.streamTime,
        labelTime: joined.labelTime,
        delays: joined.delayCounts,
        countsOf: (range, coverage) => joined.counts(range, this.windows.calibrationBins, coverage),
      },
      this.windows,
      this.options.maturity,
      this.options.labelHorizonMs,
    );
  }
}
