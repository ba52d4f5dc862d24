import { join } from 'node:path';

/** Where each stage of the fraud pipeline reads and writes, under the cache folder (`<root>/.cache`). */
export interface FraudPaths {
  /** Simulator output (transactions, chargebacks, terminals). */
  data: string;
  /** Replayed feature matrix and row metadata, derived from `data`. */
  features: string;
  /** Training intermediates and evaluation outputs that serving does not load. */
  work: string;
  /** What the services load: manifest.json, model.onnx, reference.json, terminals.csv. */
  artifacts: string;
}

export function fraudPaths(cache: string, profile: string): FraudPaths {
  return {
    data: join(cache, 'data', 'fraud', profile),
    features: join(cache, 'data', 'fraud', profile, 'features'),
    work: join(cache, 'work', 'fraud', profile),
    artifacts: join(cache, 'artifacts', 'fraud', profile),
  };
}
