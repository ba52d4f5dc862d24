import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactSet } from './manifest.js';
import { CACHE, ROOT } from './paths.js';
import { ensurePythonEnv } from './python-env.js';
import { runTs } from './run.js';
import { step, UserFacingError } from './ui.js';

export const artifactsDir = (set: ArtifactSet, dataProfile: string) =>
  join(CACHE, 'artifacts', set, dataProfile);

/** Whether the offline pipeline for a design exists in this checkout yet. */
export const pipelineExists = (set: ArtifactSet) =>
  existsSync(join(ROOT, 'packages', 'training', 'src', set, 'pipeline.ts'));

/**
 * Generates data, trains and builds indexes for the given designs, through
 * the training CLI, which skips every step whose inputs are unchanged.
 */
export async function prepareArtifacts(sets: readonly ArtifactSet[], dataProfile: string): Promise<void> {
  if (sets.length === 0) return;
  await step('checking the Python training environment', ensurePythonEnv);
  for (const set of sets) {
    if (!pipelineExists(set))
      throw new UserFacingError(
        `the ${set} training pipeline (packages/training/src/${set}/pipeline.ts) is missing`,
      );
    const code = await step(`preparing ${set} data and models (profile ${dataProfile})`, () =>
      runTs('packages/training/src/cli.ts', [set, '--profile', dataProfile]),
    );
    if (code !== 0)
      throw new UserFacingError(`the ${set} training pipeline failed (exit ${code}); see the output above`);
  }
}
