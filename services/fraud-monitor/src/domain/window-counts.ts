import type { QualityWindow, ReliabilityBin } from '@mlsys/contracts';

/** Additive tallies of the decisions in one window: what a store can keep per time bucket and sum. */
export interface WindowCounts {
  decisions: number;
  flagged: number;
  frauds: number;
  truePositives: number;
  /** Per equal-width score bin: decisions, their score sum, and how many were charged back. */
  bins: { count: number; scoreSum: number; frauds: number }[];
}

export function emptyCounts(bins: number): WindowCounts {
  return {
    decisions: 0,
    flagged: 0,
    frauds: 0,
    truePositives: 0,
    bins: Array.from({ length: bins }, () => ({ count: 0, scoreSum: 0, frauds: 0 })),
  };
}

/** The equal-width bin of a score in [0, 1] (1 falls in the last bin), as `LabelledDecisions.calibration` bins. */
export function scoreBin(score: number, bins: number): number {
  return Math.min(bins - 1, Math.floor(score * bins));
}

/** Adds one decision (with its label so far) to the tallies. */
export function countDecision(counts: WindowCounts, score: number, flagged: boolean, fraud: boolean): void {
  const bin = counts.bins[scoreBin(score, counts.bins.length)]!;
  counts.decisions += 1;
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
  from.bins.forEach((bin, b) => {
    const target = into.bins[b]!;
    target.count += bin.count;
    target.scoreSum += bin.scoreSum;
    target.frauds += bin.frauds;
  });
}

const ratio = (numerator: number, denominator: number) =>
  denominator === 0 ? null : numerator / denominator;

/** Precision and recall from the tallies, with the formulas of `LabelledDecisions.quality`. */
export function qualityOf(window: string, counts: WindowCounts): QualityWindow {
  return {
    window,
    decisions: counts.decisions,
    flagged: counts.flagged,
    frauds: counts.frauds,
    truePositives: counts.truePositives,
    precision: ratio(counts.truePositives, counts.flagged),
    recall: ratio(counts.truePositives, counts.frauds),
  };
}

/** Reliability bins and ECE from the tallies, with the formulas of `LabelledDecisions.calibration`. */
export function calibrationOf(counts: WindowCounts): {
  labelled: number;
  bins: ReliabilityBin[];
  ece: number | null;
} {
  const bins = counts.bins.length;
  const labelled = counts.bins.reduce((sum, bin) => sum + bin.count, 0);
  let ece = 0;
  const reliability = counts.bins.map(({ count: n, scoreSum, frauds }, b): ReliabilityBin => {
    const meanScore = ratio(scoreSum, n);
    const fraudRate = ratio(frauds, n);
    if (meanScore !== null && fraudRate !== null) ece += (n / labelled) * Math.abs(fraudRate - meanScore);
    return { lower: b / bins, upper: (b + 1) / bins, count: n, meanScore, fraudRate };
  });
  return { labelled, bins: reliability, ece: labelled === 0 ? null : ece };
}
