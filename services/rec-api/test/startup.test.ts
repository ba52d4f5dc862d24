// The start-up contract of every recs service that loads the artifact set:
// each one, run from its real entry point, refuses to start (exit 1, one line
// naming the file and the rebuild command) when the file it serves from is
// missing or the set is of another format version. Kept in one place because
// the check is the same for all four and they share the artifact reader.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@mlsys/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { brokenCopy, setManifestVersion, tinyArtifacts } from './artifacts.js';
import { freePort } from './stack.js';

const artifacts = tinyArtifacts();
const copies: { remove: () => void }[] = [];
afterAll(() => {
  for (const copy of copies) copy.remove();
});

// Nothing answers on port 1: a service that wrongly started could not reach its peers either.
const NOWHERE = 'http://127.0.0.1:1';
const SERVICES = [
  { service: 'candidate-gen', file: 'hnsw.bin', role: 'hnsw', env: {} },
  { service: 'ranker', file: 'ranker.onnx', role: 'ranker', env: {} },
  {
    service: 'feature-store',
    file: 'user-embeddings.f32',
    role: 'userEmbeddings',
    env: { REDIS_URL: 'redis://127.0.0.1:1' },
  },
  {
    service: 'rec-api',
    file: 'popularity-by-region.json',
    role: 'popularityByRegion',
    env: {
      REDIS_URL: 'redis://127.0.0.1:1',
      CANDIDATE_GEN_URL: NOWHERE,
      RANKER_URL: NOWHERE,
      RULES_URL: NOWHERE,
    },
  },
] as const;

/** Runs a service's entry point the way `npm start` does (from sources) and resolves with how it ended. */
async function start(service: string, env: Record<string, string>, artifactsDir: string) {
  const child = spawn(process.execPath, ['--conditions=@mlsys/source', '--import', 'tsx', 'src/main.ts'], {
    cwd: join(repoRoot(), 'services', service),
    env: {
      ...process.env,
      ...env,
      ARTIFACTS_DIR: artifactsDir,
      PORT: String(await freePort()),
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const status = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { status, stderr };
}

describe.concurrent('recs services start-up', () => {
  it.each(SERVICES)(
    'when $file is missing, then $service refuses to start naming it and the fix',
    async ({ service, file, role, env }) => {
      const broken = brokenCopy(artifacts, (dir) => rmSync(join(dir, file)));
      copies.push(broken);

      const { status, stderr } = await start(service, env, broken.dir);

      expect(status).toBe(1);
      expect(stderr).toContain(`${service} cannot start`);
      expect(stderr).toContain(`${file} (${role}) is missing`);
      expect(stderr).toContain('training/src/cli.ts recs');
    },
  );

  it.each(SERVICES)(
    'when the artifact set is of another format version, then $service refuses to start naming both',
    async ({ service, env }) => {
      const broken = brokenCopy(artifacts, (dir) => setManifestVersion(dir, 99));
      copies.push(broken);

      const { status, stderr } = await start(service, env, broken.dir);

      expect(status).toBe(1);
      expect(stderr).toContain('format version 99, this code reads version 1');
    },
  );
});
