import { resolve } from 'node:path';
import { repoRoot } from '@mlsys/testkit';

/** The trained fraud artifacts the model tests use: `npm test` prepares the tiny set and names it here. */
export function fraudArtifactsDir(): string {
  const dir = process.env.MLSYS_FRAUD_ARTIFACTS;
  if (!dir) {
    throw new Error(
      'MLSYS_FRAUD_ARTIFACTS is not set: run the tests through `npm test`, or build the tiny artifacts ' +
        '(node --conditions=@mlsys/source --import tsx packages/training/src/cli.ts fraud --profile tiny) ' +
        'and set MLSYS_FRAUD_ARTIFACTS=.cache/artifacts/fraud/tiny',
    );
  }
  return resolve(repoRoot(), dir);
}
