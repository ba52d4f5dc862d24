import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { recs } from '@mlsys/datagen';
import type { StepProgress } from '../shared/progress.js';
import { runPythonScript } from './python.js';
import type { ServingSettings } from './settings.js';
import { countedEnd, type RecsSplit } from './split.js';

export interface EmbeddingFiles {
  songEmbeddings: string;
  userEmbeddings: string;
}

export const embeddingFiles = (dir: string): EmbeddingFiles => ({
  songEmbeddings: join(dir, 'song-factors.f32'),
  userEmbeddings: join(dir, 'user-factors.f32'),
});

/**
 * Writes the counted listens as (user, song, count) records and factorises
 * them with implicit's ALS (python/recs/train_als.py). Returns how many
 * distinct user-song pairs went in.
 */
export async function trainEmbeddings(input: {
  root: string;
  dataset: recs.RecsDataset;
  split: RecsSplit;
  settings: ServingSettings;
  dir: string;
  label: string;
  progress: StepProgress;
}): Promise<{ pairs: number }> {
  const { dataset, split, settings, dir } = input;
  mkdirSync(dir, { recursive: true });
  const interactions = join(dir, 'interactions.bin');
  const pairs = writeInteractions(dataset.listens, split, interactions);
  input.progress.note(`${pairs.toLocaleString('en')} user-song pairs`);
  const { als } = settings;
  await runPythonScript(input.root, 'train_als.py', {
    interactions,
    users: dataset.meta.counts.users,
    songs: dataset.meta.counts.songs,
    factors: als.factors,
    iterations: als.iterations,
    regularization: als.regularization,
    alpha: als.alpha,
    seed: dataset.meta.seed,
    outDir: dir,
    label: input.label,
  });
  return { pairs };
}

/** One record per (user, song) with the listen count, 12 bytes: u32 user, u32 song, f32 count. */
function writeInteractions(listens: recs.ListenTable, split: RecsSplit, path: string): number {
  const out = new recs.BufferedFileWriter(path);
  const record = new DataView(new ArrayBuffer(12));
  const counts = new Map<number, number>();
  let pairs = 0;
  for (let user = 0; user < listens.userStart.length - 1; user++) {
    counts.clear();
    for (let row = listens.userStart[user]!; row < countedEnd(split, user); row++) {
      const song = listens.song[row]!;
      counts.set(song, (counts.get(song) ?? 0) + 1);
    }
    for (const [song, count] of [...counts].sort((a, b) => a[0] - b[0])) {
      record.setUint32(0, user, true);
      record.setUint32(4, song, true);
      record.setFloat32(8, count, true);
      out.bytes(record);
      pairs++;
    }
  }
  out.close();
  return pairs;
}
