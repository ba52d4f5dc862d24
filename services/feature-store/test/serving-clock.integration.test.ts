// The feature store's serving clock, through its real entry point: a listen
// posted without a time is stamped on the data's clock (the tiny data ends
// 2026-03-01), so it sits among the materialised listens instead of months
// after them; SERVING_CLOCK=wall stamps the wall time.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ListenAccepted } from '@mlsys/contracts';
import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';
import { closeRedis, connectRedis, createRedis, type Redis } from '@mlsys/redis';
import { freePort, repoRoot, testArtifactsDir, uniqueName, waitUntil } from '@mlsys/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';

const infra = inject('infra');
const artifactsDir = testArtifactsDir('recs');
const dataEndMs = loadRecsArtifacts(artifactsDir).manifest.dataWindow!.endMs;
// Both processes share one key space: the second finds the version live and skips materialising.
const keyPrefix = `${uniqueName('fs-clock')}:`;
const HOUR_MS = 3_600_000;

interface FeatureStore {
  url: string;
  log: () => string;
  stop(): Promise<void>;
}
const running: FeatureStore[] = [];

/** Starts the feature store from its entry point and resolves once a version is live (`/readyz` 200). */
async function startFeatureStore(env: Record<string, string>): Promise<FeatureStore> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@mlsys/source', '--import', 'tsx', 'src/main.ts'],
    {
      cwd: join(repoRoot(), 'services', 'feature-store'),
      env: {
        ...process.env,
        ...env,
        ARTIFACTS_DIR: artifactsDir,
        REDIS_URL: infra.redisUrl,
        REDIS_KEY_PREFIX: keyPrefix,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`feature-store exited with ${child.exitCode}: ${stderr}`);
        return (await fetch(`${url}/readyz`)).ok;
      },
      { timeoutMs: 120_000, intervalMs: 100, what: 'feature-store to be ready' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const store = { url, log: () => stdout, stop };
  running.push(store);
  return store;
}

/** Posts a listen without a time and returns the wall-clock window around the call with the answer. */
async function listenWithoutTime(store: FeatureStore, userId: string) {
  const before = Date.now();
  const res = await fetch(`${store.url}/v1/events/listen`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId, songId: 7 }),
  });
  const after = Date.now();
  expect(res.status).toBe(202);
  return { before, after, accepted: (await res.json()) as ListenAccepted };
}

afterAll(async () => {
  await Promise.all(running.map((store) => store.stop()));
  const redis = createRedis({ url: infra.redisUrl }) as Redis;
  await connectRedis(redis, infra.redisUrl);
  const leftovers = await redis.keys(`${keyPrefix}*`);
  if (leftovers.length > 0) await redis.unlink(...leftovers);
  await closeRedis(redis);
});

describe('feature-store serving clock', () => {
  it('when a listen comes without a time on the data clock, then it is stamped at the data end plus the time since the anchor', async () => {
    const anchorMs = Date.now() - 2 * HOUR_MS;
    const store = await startFeatureStore({ SERVING_CLOCK_ANCHOR_MS: String(anchorMs) });

    const { before, after, accepted } = await listenWithoutTime(store, '3');

    expect(accepted.timestampMs).toBeGreaterThanOrEqual(dataEndMs + (before - anchorMs));
    expect(accepted.timestampMs).toBeLessThanOrEqual(dataEndMs + (after - anchorMs));
    expect(store.log()).toContain('serving clock: data time');
    await store.stop();
  });

  it('when the wall clock is asked for, then a listen without a time is stamped with the wall time', async () => {
    const store = await startFeatureStore({ SERVING_CLOCK: 'wall' });

    const { before, after, accepted } = await listenWithoutTime(store, uniqueName('new-user'));

    expect(accepted.timestampMs).toBeGreaterThanOrEqual(before);
    expect(accepted.timestampMs).toBeLessThanOrEqual(after);
    expect(store.log()).toContain('serving clock: wall time (SERVING_CLOCK=wall)');
  });

  it('when SERVING_CLOCK names no known clock, then the service refuses to start naming the variable', async () => {
    const child = spawn(process.execPath, ['--conditions=@mlsys/source', '--import', 'tsx', 'src/main.ts'], {
      cwd: join(repoRoot(), 'services', 'feature-store'),
      env: {
        ...process.env,
        ARTIFACTS_DIR: artifactsDir,
        REDIS_URL: infra.redisUrl,
        SERVING_CLOCK: 'tomorrow',
        PORT: String(await freePort()),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));

    const status = await new Promise<number | null>((resolve) => child.once('exit', resolve));

    expect(status).toBe(1);
    expect(stderr).toContain('SERVING_CLOCK must be one of data, wall, got "tomorrow"');
  });
});
