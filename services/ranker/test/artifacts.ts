import { join } from 'node:path';
import { loadRecsArtifacts, type RecsArtifacts } from '@mlsys/recs-core/artifacts';
import { repoRoot } from '@mlsys/testkit';

/** The tiny artifact set `npm test` prepares (MLSYS_RECS_ARTIFACTS), or the default build location. */
export function tinyArtifacts(): RecsArtifacts {
  return loadRecsArtifacts(
    process.env.MLSYS_RECS_ARTIFACTS ?? join(repoRoot(), '.cache', 'artifacts', 'recs', 'tiny'),
  );
}
