import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRecsArtifacts, type RecsArtifacts } from '@mlsys/recs-core/artifacts';
import { testArtifactsDir } from '@mlsys/testkit';

/** The tiny artifact set the tests run on. */
export const tinyArtifacts = (): RecsArtifacts => loadRecsArtifacts(testArtifactsDir('recs'));

/** A copy of the artifact set with one thing broken, for the refuse-to-start tests; `remove()` deletes it. */
export function brokenCopy(
  source: RecsArtifacts,
  breakIt: (dir: string) => void,
): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'recs-broken-'));
  cpSync(source.dir, dir, { recursive: true });
  breakIt(dir);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function setManifestVersion(dir: string, formatVersion: number): void {
  const file = join(dir, 'manifest.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), formatVersion }));
}
