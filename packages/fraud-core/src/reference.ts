/**
 * The training distribution of one feature, for drift monitoring (PSI).
 * `edges` are the cut points between bins; a value falls in bin
 * `referenceBin(edges, value)` = how many edges are <= value, so there are
 * `edges.length + 1` bins and `proportions` has one share per bin. Training
 * (numpy `searchsorted(edges, x, side="right")`) and serving use this one rule.
 */
export interface FeatureReference {
  name: string;
  edges: number[];
  proportions: number[];
}

export function referenceBin(edges: readonly number[], value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Population stability index of observed bin counts against the reference
 * shares. Empty bins are floored at `epsilon` so one empty bin does not make
 * the index infinite; 0.1 is the usual "watch" level and 0.2 "drifted".
 */
export function populationStabilityIndex(
  reference: readonly number[],
  observedCounts: readonly number[],
  epsilon = 1e-4,
): number {
  if (reference.length !== observedCounts.length) {
    throw new Error(`PSI: ${observedCounts.length} observed bins for ${reference.length} reference bins`);
  }
  const total = observedCounts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return 0;
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const expected = Math.max(reference[i]!, epsilon);
    const actual = Math.max(observedCounts[i]! / total, epsilon);
    psi += (actual - expected) * Math.log(actual / expected);
  }
  return psi;
}
