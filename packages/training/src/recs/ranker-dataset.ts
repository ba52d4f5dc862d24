import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { recs } from '@mlsys/datagen';
import { crossFeatures, isAvailable, type UserTowerParams } from '@mlsys/recs-core';
import type { SongIndex } from '@mlsys/recs-core/ann';
import type { StepProgress } from '../shared/progress.js';
import { writeTypedArray } from './binary-files.js';
import { type PreparedQuery, type ReplayWorld, replayQueryVector, toRankCandidates } from './replay.js';
import type { ServingSettings } from './settings.js';

export interface RankerSplitStats {
  queries: number;
  rows: number;
  positives: number;
}

export interface RankerDatasetStats {
  train: RankerSplitStats;
  valid: RankerSplitStats;
  /** Ranker users whose label songs were all missing from the candidates (no signal to learn from). */
  queriesWithoutPositive: number;
}

class SplitWriter {
  features: number[] = [];
  labels: number[] = [];
  groups: number[] = [];
  positives = 0;

  add(features: Float32Array, labels: number[]): void {
    for (const value of features) this.features.push(value);
    for (const label of labels) this.labels.push(label);
    this.groups.push(labels.length);
    this.positives += labels.filter((l) => l > 0).length;
  }

  write(dir: string, name: string): RankerSplitStats {
    writeTypedArray(join(dir, `${name}-features.f32`), Float32Array.from(this.features));
    writeTypedArray(join(dir, `${name}-labels.f32`), Float32Array.from(this.labels));
    writeTypedArray(join(dir, `${name}-groups.i32`), Int32Array.from(this.groups));
    return { queries: this.groups.length, rows: this.labels.length, positives: this.positives };
  }
}

/**
 * The LambdaRank training set, by replaying each ranker user's moment before
 * the label window through the serving path: tower query, top-k candidates
 * from the real index, cross features from recs-core. One query group per
 * user: every candidate they went on to play (label 1) plus a uniform sample
 * of the playable ones they did not (label 0), so the sample mirrors the
 * candidate list the ranker will see online. The tuning users' queries are
 * the validation split: the ranker never fits them, so the exploration
 * places tuned on them afterwards see the scores an unseen user gets.
 */
export function writeRankerDataset(input: {
  world: ReplayWorld;
  queries: readonly PreparedQuery[];
  index: SongIndex;
  tower: UserTowerParams;
  settings: ServingSettings;
  /** Their queries go to the validation split (early stopping only), so later tuning on them is fair. */
  validUsers: ReadonlySet<number>;
  random: recs.Random;
  dir: string;
  progress: StepProgress;
}): RankerDatasetStats {
  const { world, index, settings, random } = input;
  mkdirSync(input.dir, { recursive: true });
  const train = new SplitWriter();
  const valid = new SplitWriter();
  let queriesWithoutPositive = 0;
  input.queries.forEach((prepared, i) => {
    const hits = index.search(
      replayQueryVector(world, prepared, input.tower),
      settings.candidates,
      prepared.exclude,
    );
    const playable = toRankCandidates(world, hits).filter((c) =>
      isAvailable(c.song, prepared.context.region, prepared.context.nowMs),
    );
    const positives = playable.filter((c) => prepared.targets.has(c.song.id));
    if (positives.length === 0) {
      queriesWithoutPositive++;
      return;
    }
    const negatives = random
      .shuffle(playable.filter((c) => !prepared.targets.has(c.song.id)))
      .slice(0, settings.negativesPerQuery);
    // Shuffled: with positives first, tied scores would sort them on top and flatter every metric.
    const rows = random.shuffle([...positives, ...negatives]);
    const labels = rows.map((c) => (prepared.targets.has(c.song.id) ? 1 : 0));
    const target = input.validUsers.has(prepared.query.user) ? valid : train;
    target.add(crossFeatures(prepared.ranking, rows), labels);
    if (i % 200 === 0) input.progress.update(i / input.queries.length, `${i}/${input.queries.length} users`);
  });
  return {
    train: train.write(input.dir, 'train'),
    valid: valid.write(input.dir, 'valid'),
    queriesWithoutPositive,
  };
}
