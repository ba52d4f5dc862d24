import { recallAtK, type UserTowerParams } from '@mlsys/recs-core';
import type { SongIndex } from '@mlsys/recs-core/ann';
import type { StepProgress } from '../shared/progress.js';
import { type PreparedQuery, type ReplayWorld, replayQueryVector } from './replay.js';
import type { ServingSettings } from './settings.js';

/** The tower used before tuning (to draw the index sweep's queries). */
export const UNTUNED_TOWER: UserTowerParams = {
  recentWeight: 0.5,
  positionDecay: 0.8,
  halfLifeHours: 24,
  popularityWeight: 1,
};

export interface TowerTrial extends UserTowerParams {
  /** Mean recall of the label songs in the top-k candidates. */
  recall: number;
}

/**
 * Picks the tower blend and the popularity weight by the recall of the
 * candidate stage on the tuning users' label windows (never on test
 * listens). recentWeight 0 is in the grid, so the report shows what the
 * recent listens add over the long-term embedding alone.
 */
export function tuneUserTower(input: {
  world: ReplayWorld;
  queries: readonly PreparedQuery[];
  index: SongIndex;
  settings: ServingSettings;
  progress: StepProgress;
}): { params: UserTowerParams; trials: TowerTrial[] } {
  const grid = input.settings.towerGrid;
  const k = input.settings.candidates;
  const combos = grid.recentWeight.flatMap((recentWeight) =>
    grid.halfLifeHours.flatMap((halfLifeHours) =>
      grid.popularityWeight.map((popularityWeight) => ({
        recentWeight,
        halfLifeHours,
        popularityWeight,
        positionDecay: grid.positionDecay,
      })),
    ),
  );
  const trials: TowerTrial[] = combos.map((params, i) => {
    let recall = 0;
    for (const prepared of input.queries) {
      const hits = input.index.search(replayQueryVector(input.world, prepared, params), k, prepared.exclude);
      recall += recallAtK(hits.ids, prepared.targets, k);
    }
    input.progress.update((i + 1) / combos.length, `blend ${i + 1}/${combos.length}`);
    return { ...params, recall: recall / input.queries.length };
  });
  const best = [...trials].sort((a, b) => b.recall - a.recall || a.recentWeight - b.recentWeight)[0]!;
  const { recall: _recall, ...params } = best;
  return { params, trials };
}
