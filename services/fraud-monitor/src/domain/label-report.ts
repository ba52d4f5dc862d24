import type { FraudMonitorReport } from '@mlsys/contracts';
import {
  coverageAt,
  type DelayCounts,
  type DelayOptions,
  type DelayPrior,
  delayQuantile,
  estimateDelay,
} from './label-delay.js';
import { calibrationOf, emptyCounts, qualityOf, type WindowCounts } from './window-counts.js';
import { type AgeRange, type Window, windowRange } from './windows.js';

/** The part of the report that comes from the labelled-decision join. */
export type LabelReport = Pick<
  FraudMonitorReport,
  'streamTime' | 'quality' | 'cohorts' | 'labelDelay' | 'calibration'
>;

/** What the join reports on: sliding windows, the calibration window and the decision-age cohorts. */
export interface LabelWindows {
  quality: readonly Window[];
  calibration: Window;
  calibrationBins: number;
  cohorts: readonly AgeRange[];
}

/** When a group's labels count as known, and the delay distribution that decides it. */
export interface LabelMaturityOptions {
  /** Label coverage below which precision, recall and ECE are `not yet known` (`MIN_LABEL_COVERAGE`). */
  minCoverage: number;
  prior: DelayPrior;
  /** See `DelayOptions.minChargebacks`. */
  minChargebacks: number;
}

/** Every age range a report tallies, each once (a window and a cohort may be the same range). */
export function reportRanges(windows: LabelWindows): AgeRange[] {
  const all = [...windows.quality, windows.calibration].map(windowRange).concat(windows.cohorts);
  return [...new Map(all.map((range) => [rangeKey(range), range])).values()];
}

export const rangeKey = (range: AgeRange) => `${range.fromMs}-${range.toMs}`;

/** The longest age any report range reaches back to. */
export const longestRangeMs = (windows: LabelWindows) =>
  Math.max(...reportRanges(windows).map((r) => r.toMs));

/** What a store has read for one report. */
export interface LabelSnapshot {
  streamTime: number | null;
  /** Latest chargeback report time read. */
  labelTime: number | null;
  delays: DelayCounts;
  /** The tallies of a range, each decision weighed by `coverage` of its event time. */
  countsOf(range: AgeRange, coverage: (eventTime: number) => number): WindowCounts;
}

/**
 * The report from one store's snapshot, the same for every store: the delay
 * distribution first (it sets each decision's label coverage), then the
 * tallies of every range, judged known or not against `minCoverage`.
 */
export function buildLabelReport(
  snapshot: LabelSnapshot,
  windows: LabelWindows,
  maturity: LabelMaturityOptions,
  horizonMs: number,
): LabelReport {
  const delayOptions: DelayOptions = {
    prior: maturity.prior,
    minChargebacks: maturity.minChargebacks,
    horizonMs,
  };
  const delay = estimateDelay(snapshot.delays, snapshot.labelTime, delayOptions);
  const coverage = coverageAt(delay, snapshot.labelTime);
  const tallied = new Map<string, WindowCounts>();
  const counts = (range: AgeRange) => {
    const key = rangeKey(range);
    let found = tallied.get(key);
    if (!found) {
      found =
        snapshot.streamTime === null
          ? emptyCounts(windows.calibrationBins)
          : snapshot.countsOf(range, coverage);
      tallied.set(key, found);
    }
    return found;
  };
  const { minCoverage } = maturity;
  return {
    streamTime: snapshot.streamTime,
    quality: windows.quality.map((w) => qualityOf(w.name, counts(windowRange(w)), minCoverage)),
    cohorts: windows.cohorts.map((range) => {
      const tally = counts(range);
      const { window: _, ...quality } = qualityOf(range.name, tally, minCoverage);
      const { bins, ece } = calibrationOf(tally, minCoverage);
      return { cohort: range.name, minAgeMs: range.fromMs, maxAgeMs: range.toMs, ...quality, bins, ece };
    }),
    labelDelay: {
      source: delay.source,
      chargebacks: delay.chargebacks,
      labelTime: snapshot.labelTime,
      learnedUpToMs: delay.learnedUpToMs,
      medianMs: delayQuantile(delay, 0.5),
      p90Ms: delayQuantile(delay, 0.9),
      minCoverage,
    },
    calibration: {
      window: windows.calibration.name,
      ...calibrationOf(counts(windowRange(windows.calibration)), minCoverage),
    },
  };
}
