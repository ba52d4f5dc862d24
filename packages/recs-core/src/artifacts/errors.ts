/** Shown in every artifact error: how to (re)build the set. */
export const REBUILD_HINT =
  'build it with `npx tsx --conditions=@mlsys/source packages/training/src/cli.ts recs --profile <profile>` (npm start does this on first run)';

/**
 * Why an artifact set cannot be used. Services let it escape from start-up
 * so they refuse to start with a message that names the file and the fix.
 */
export class RecsArtifactError extends Error {
  constructor(
    readonly dir: string,
    problem: string,
  ) {
    super(`recs artifacts at ${dir}: ${problem}; ${REBUILD_HINT}`);
    this.name = 'RecsArtifactError';
  }
}
