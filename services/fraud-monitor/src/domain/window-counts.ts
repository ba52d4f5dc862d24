import type { LabelStatus, QualityWindow, ReliabilityBin } from '@mlsys/contracts';

/** Additive tallies of the decisions in one age range: what a store can keep per time bucket and sum. */
export interface WindowCounts {
  decisions: number;
  flagged: number;
  frauds: number;
  truePositives: number;
  /** Per equal-width score bin: decisions, their score sum, and how many were charged back. */
  bins: { count: number; scoreSum: number; frauds: number }[];
  /**
   * Sum over the decisions of the share of their eventual chargebacks
   * expected to have arrived: / decisions, the range's label coverage.
   */
  coverageSum: number;
}

export function emptyCounts(bins: number): WindowCounts {
  return {
    decisions: 0,
    flagged: 0,
    frauds: 0,
    truePositives: 0,
    bins: Array.from({ length: bins }, () => ({ count: 0, scoreSum: 0, frauds: 0 })),
    coverageSum: 0,
  };
}

/** The equal-width bin of a score in [0, 1] (1 falls in the last bin). */
export function scoreBin(score: number, bins: number): number {
  return Math.min(bins - 1, Math.floor(score * bins));
}

/** Adds one decision (with its label so far and the expected coverage of that label) to the tallies. */
export function countDecision(
  counts: WindowCounts,
  score: number,
  flagged: boolean,
  fraud: boolean,
  coverage: number,
): void {
  const bin = counts.bins[scoreBin(score, counts.bins.length)]!;
  counts.decisions += 1;
  counts.coverageSum += coverage;
  bin.count += 1;
  bin.scoreSum += score;
  if (flagged) counts.flagged += 1;
  if (fraud) {
    counts.frauds += 1;
    bin.frauds += 1;
    if (flagged) counts.truePositives += 1;
  }
}

/** `into += from`, bin by bin. */
export function addCounts(into: WindowCounts, from: WindowCounts): void {
  into.decisions += from.decisions;
  into.flagged += from.flagged;
  into.frauds += from.frauds;
  into.truePositives += from.truePositives;
  into.coverageSum += from.coverageSum;
  from.bins.forEach((bin, b) => {
    const target = into.bins[b]!;
    target.count += bin.count;
    target.scoreSum += bin.scoreSum;
    target.frauds += bin.frauds;
  });
}

const ratio = (numerator: number, denominator: number) =>
  denominator === 0 ? null : numerator / denominator;

export interface Maturity {
  labelCoverage: number | null;
  status: LabelStatus;
}

/**
 * Whether the range's labels can be judged: below `minCoverage` of its
 * eventual chargebacks, a missing label mostly means "not arrived yet", and
 * a precision or a fraud rate would read as the model being wrong.
 */
export function maturityOf(counts: WindowCounts, minCoverage: number): Maturity {
  if (counts.decisions === 0) return { labelCoverage: null, status: 'no decisions' };
  // Summed in another order, a full coverage can come out a hair above 1.
  const labelCoverage = Math.min(1, counts.coverageSum / counts.decisions);
  return { labelCoverage, status: labelCoverage >= minCoverage ? 'known' : 'not yet known' };
}

/** Precision and recall from the tallies: null when a denominator is 0 or the labels are not yet known. */
export function qualityOf(window: string, counts: WindowCounts, minCoverage: number): QualityWindow {
  const maturity = maturityOf(counts, minCoverage);
  const known = maturity.status === 'known';
  return {
    window,
    decisions: counts.decisions,
    flagged: counts.flagged,
    frauds: counts.frauds,
    truePositives: counts.truePositives,
    precision: known ? ratio(counts.truePositives, counts.flagged) : null,
    recall: known ? ratio(counts.truePositives, counts.frauds) : null,
    ...maturity,
  };
}

/**
 * Reliability of the calibrated scores: in each equal-width score bin, the
 * mean score against the observed fraud rate, and their count-weighted mean
 * gap (expected calibration error). Fraud rates and ECE are null while the
 * labels are not yet known; counts and mean scores are always shown.
 */
export function calibrationOf(
  counts: WindowCounts,
  minCoverage: number,
): { labelled: number; bins: ReliabilityBin[]; ece: number | null } & Maturity {
  const maturity = maturityOf(counts, minCoverage);
  const known = maturity.status === 'known';
  const bins = counts.bins.length;
  const labelled = counts.bins.reduce((sum, bin) => sum + bin.count, 0);
  let ece = 0;
  const reliability = counts.bins.map(({ count: n, scoreSum, frauds }, b): ReliabilityBin => {
    const meanScore = ratio(scoreSum, n);
    const fraudRate = known ? ratio(frauds, n) : null;
    if (meanScore !== null && fraudRate !== null) ece += (n / labelled) * Math.abs(fraudRate - meanScore);
    return { lower: b / bins, upper: (b + 1) / bins, count: n, meanScore, fraudRate };
  });
  return { labelled, bins: reliability, ece: known ? ece : null, ...maturity };
}
