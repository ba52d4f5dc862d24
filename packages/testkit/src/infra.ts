import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ProvisionedInfra, TestInfra } from './test-infra.js';

const run = promisify(execFile);

export function repoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
  return dir;
}

/** Infra given by the environment (`npm test` sets both after starting the servers). */
export function infraFromEnv(env: Readonly<Record<string, string | undefined>>): TestInfra | undefined {
  const redisUrl = env.REDIS_URL;
  const brokers = env.KAFKA_BROKERS;
  if (!redisUrl || !brokers) return undefined;
  return {
    redisUrl,
    kafkaBrokers: brokers
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    source: 'env',
  };
}

async function containerEngineAnswers(): Promise<boolean> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 3000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the test profile's Redis and Kafka from infra/ (the same scripts as
 * `npm start`, on the test ports). They keep running after the test run so
 * the next run is fast; `npm run infra -- down --profile test` stops them.
 */
async function localInfra(): Promise<TestInfra> {
  const root = repoRoot();
  await run(process.execPath, [join(root, 'scripts', 'bootstrap.mjs'), 'infra', 'up', '--profile', 'test'], {
    cwd: root,
    timeout: 10 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const endpoints = JSON.parse(readFileSync(join(root, '.cache', 'test', 'endpoints.json'), 'utf8')) as {
    redisUrl: string;
    kafkaBrokers: string[];
  };
  return { ...endpoints, source: 'local' };
}

/** Resolution order: environment, then a container engine, then local processes from infra/. */
export async function provisionInfra(env = process.env): Promise<ProvisionedInfra> {
  const fromEnv = infraFromEnv(env);
  if (fromEnv) return { infra: fromEnv, stop: async () => {} };
  if (await containerEngineAnswers()) {
    const { startContainers } = await import('./containers.js');
    return startContainers();
  }
  return { infra: await localInfra(), stop: async () => {} };
}

/**
 * The artifact folder a service test loads: the tiny set `npm test` prepares
 * (it sets MLSYS_RECS_ARTIFACTS / MLSYS_FRAUD_ARTIFACTS), else where the
 * training CLI writes it (`infra prepare --data tiny`).
 */
export function testArtifactsDir(set: 'recs' | 'fraud', env = process.env): string {
  const fromEnv = set === 'recs' ? env.MLSYS_RECS_ARTIFACTS : env.MLSYS_FRAUD_ARTIFACTS;
  return fromEnv ?? join(repoRoot(), '.cache', 'artifacts', set, 'tiny');
}
