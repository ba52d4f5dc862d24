import { fraudSheet } from './designs/fraud.js';
import { recsSheet } from './designs/recs.js';
import type { Results } from './results.js';
import type { Sheet } from './sheet.js';

export type EstimateOptions =
  | { design: 'fraud'; tps: number; peak: number; utilisation: number; entities?: number }
  | {
      design: 'recs';
      users: number;
      songs: number;
      rps: number;
      peak: number;
      utilisation: number;
      rpsDefaulted?: boolean;
    };

/** The sheet of one design for a target load, from the given results. */
export function estimate(results: Results, options: EstimateOptions): Sheet {
  return options.design === 'fraud' ? fraudSheet(results, options) : recsSheet(results, options);
}
