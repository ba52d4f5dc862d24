import type { FeatureDrift } from '@mlsys/contracts';
import { type FraudReference, populationStabilityIndex, referenceBin } from '@mlsys/fraud-core';

export interface DriftOptions {
  /** Transactions in the sliding sample. */
  sampleSize: number;
  /** PSI above which a feature alarms (0.2: "drifted" by the usual reading). */
  threshold: number;
  /** No alarm before the sample holds this many transactions: a small sample's PSI is noise. */
  minSample: number;
}

/**
 * Population stability of every model input over the last `sampleSize`
 * transactions against the training reference. Each feature's bin counts
 * are kept up to date as transactions enter and leave the sample, so a
 * report costs one PSI per feature, not a pass over the sample.
 */
export class DriftMonitor {
  private readonly features: FraudReference['features'];
  private readonly counts: Int32Array[];
  /** The sample's bin indexes, one row of `features.length` per transaction, as a ring. */
  private readonly ring: Uint16Array;
  private next = 0;
  private filled = 0;

  constructor(
    reference: FraudReference,
    featureNames: readonly string[],
    private readonly options: DriftOptions,
  ) {
    const byName = new Map(reference.features.map((f) => [f.name, f]));
    this.features = featureNames.map((name) => {
      const feature = byName.get(name);
      if (!feature) throw new Error(`the training reference has no distribution for feature ${name}`);
      if (feature.proportions.length !== feature.edges.length + 1) {
        throw new Error(
          `the reference of ${name} has ${feature.edges.length} edges but ${feature.proportions.length} shares`,
        );
      }
      return feature;
    });
    this.counts = this.features.map((f) => new Int32Array(f.proportions.length));
    this.ring = new Uint16Array(options.sampleSize * this.features.length);
  }

  get sample(): number {
    return this.filled;
  }

  /** Adds one transaction's feature vector (in the reference's feature order), evicting the oldest. */
  add(vector: ArrayLike<number>): void {
    const width = this.features.length;
    const row = this.next * width;
    const evict = this.filled === this.options.sampleSize;
    for (let f = 0; f < width; f++) {
      if (evict) this.counts[f]![this.ring[row + f]!]! -= 1;
      const bin = referenceBin(this.features[f]!.edges, vector[f]!);
      this.ring[row + f] = bin;
      this.counts[f]![bin]! += 1;
    }
    this.next = (this.next + 1) % this.options.sampleSize;
    if (!evict) this.filled += 1;
  }

  report(): FeatureDrift[] {
    const armed = this.filled >= this.options.minSample;
    return this.features.map((feature, f) => {
      const psi = populationStabilityIndex(feature.proportions, Array.from(this.counts[f]!));
      return { feature: feature.name, psi, alarm: armed && psi > this.options.threshold };
    });
  }
}
