import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokenCopy, setManifestVersion, tinyArtifacts } from './artifacts.js';

const artifacts = tinyArtifacts();
const copies: { remove: () => void }[] = [];
afterAll(() => {
  for (const copy of copies) copy.remove();
});

/** A port nothing listens on, so a start that wrongly succeeded could not collide with a running stack. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs the real entry point the way `npm start` does (from sources), and returns how it ended. */
async function start(artifactsDir: string) {
  const result = spawnSync(
    process.execPath,
    ['--conditions=@mlsys/source', '--import', 'tsx', 'src/main.ts'],
    {
      cwd: join(import.meta.dirname, '..'),
      env: {
        ...process.env,
        ARTIFACTS_DIR: artifactsDir,
        FEATURE_STORE_URL: 'http://127.0.0.1:1',
        CANDIDATE_GEN_URL: 'http://127.0.0.1:1',
        RANKER_URL: 'http://127.0.0.1:1',
        RULES_URL: 'http://127.0.0.1:1',
        PORT: String(await freePort()),
        LOG_LEVEL: 'error',
      },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: result.status, stderr: result.stderr };
}

describe('rec-api start-up', () => {
  it('when the regional popularity lists are missing, then it refuses to start naming the file and the fix', async () => {
    const broken = brokenCopy(artifacts, (dir) => rmSync(join(dir, 'popularity-by-region.json')));
    copies.push(broken);

    const { status, stderr } = await start(broken.dir);

    expect(status).toBe(1);
    expect(stderr).toContain('rec-api cannot start');
    expect(stderr).toContain('popularity-by-region.json (popularityByRegion) is missing');
    expect(stderr).toContain('training/src/cli.ts recs');
  });

  it('when the artifact set is of another format version, then it refuses to start naming both versions', async () => {
    const broken = brokenCopy(artifacts, (dir) => setManifestVersion(dir, 99));
    copies.push(broken);

    const { status, stderr } = await start(broken.dir);

    expect(status).toBe(1);
    expect(stderr).toContain('format version 99, this code reads version 1');
  });
});
