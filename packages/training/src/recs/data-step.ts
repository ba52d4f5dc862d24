import { join } from 'node:path';
import { recs } from '@mlsys/datagen';
import type { PipelineProgress } from '../shared/progress.js';
import { cachedStep, hashJson, hashSources } from '../shared/step-cache.js';
import { CODE_ROOT, type RecsPaths, STEP_SOURCES } from './paths.js';

/** Generates the profile's dataset unless the same generator already wrote it. Returns the step's cache key. */
export async function dataStep(input: {
  root: string;
  profile: recs.RecsProfile;
  paths: RecsPaths;
  force: boolean;
  progress: PipelineProgress;
}): Promise<string> {
  const { paths, profile, progress } = input;
  const key = hashJson({ profile, code: hashSources(CODE_ROOT, STEP_SOURCES.data) });
  await cachedStep({
    stampPath: join(paths.stamps, 'data.json'),
    key,
    outputs: [join(paths.data, recs.DATASET_FILES.meta)],
    force: input.force,
    onSkip: () => progress.skipped('data', 'cached (generator and profile unchanged)'),
    run: () =>
      progress.step('data', (step) => {
        const meta = recs.generateRecsDataset(profile, paths.data, (phase, fraction) =>
          step.update(fraction, phase),
        );
        step.note(
          `${meta.counts.songs.toLocaleString('en')} songs, ${meta.counts.users.toLocaleString('en')} users, ${meta.counts.listens.toLocaleString('en')} listens`,
        );
        return meta.counts;
      }),
  });
  return key;
}
