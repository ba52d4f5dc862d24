// The serving clock end to end: the real stages and rec-api, each from its
// entry point on the tiny artifacts (data ending 2026-03-01), once on the
// data clock and once on the wall clock. Only the data clock lets the
// freshness rule see the songs released in the weeks before the data's end.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Recommendations, RuleChange } from '@mlsys/contracts';
import { repoRoot, uniqueName, waitUntil } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { brokenCopy, tinyArtifacts } from './artifacts.js';
import { freePort, type Running, startService } from './stack.js';

const DAY_MS = 86_400_000;
/** The rules service's default FRESH_DAYS. */
const FRESH_DAYS = 30;

const infra = inject('infra');
const artifacts = tinyArtifacts();
const dataEndMs = artifacts.manifest.dataWindow!.endMs;
const songs = artifacts.readSongs();
const users = artifacts.readUsers().slice(0, 40);
// One hour of wall time before the stack "started": the data clock then reads the data end plus an hour.
const anchorMs = Date.now() - 3_600_000;

const running: Running[] = [];
const copies: { remove: () => void }[] = [];
let stageEnv: Record<string, string>;
let onDataClock: RecApi;

interface RecApi {
  url: string;
  /** Everything the process logged to stdout so far. */
  log: () => string;
  stop(): Promise<void>;
}

/** Starts rec-api from its entry point (sources, through tsx) and resolves once `/readyz` answers 200. */
async function startRecApi(env: Record<string, string>): Promise<RecApi> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@mlsys/source', '--import', 'tsx', 'src/main.ts'],
    {
      cwd: join(repoRoot(), 'services', 'rec-api'),
      env: {
        ...process.env,
        ARTIFACTS_DIR: artifacts.dir,
        // Generous budgets: these tests are about the clock, and a busy machine must not make them degraded.
        FEATURES_DEADLINE_MS: '2000',
        CANDIDATES_DEADLINE_MS: '2000',
        RANKER_DEADLINE_MS: '2000',
        RULES_DEADLINE_MS: '2000',
        ...stageEnv,
        ...env,
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
        if (child.exitCode !== null) throw new Error(`rec-api exited with ${child.exitCode}: ${stderr}`);
        return (await fetch(`${url}/readyz`)).ok;
      },
      { timeoutMs: 120_000, intervalMs: 100, what: 'rec-api to be ready' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const api = { url, log: () => stdout, stop };
  running.push(api);
  return api;
}

/** The freshness changes of each known user's list, asked in their home region. */
async function freshnessChanges(api: RecApi): Promise<RuleChange[]> {
  const changes: RuleChange[] = [];
  for (const user of users) {
    const res = await fetch(
      `${api.url}/v1/recommendations/${user.id}?region=${user.region}&count=50&explain=true`,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Recommendations;
    expect(body.degradedStages).toEqual([]);
    changes.push(...(body.explain!.rules.changes ?? []).filter((c) => c.rule === 'freshness'));
  }
  return changes;
}

beforeAll(async () => {
  const clock = { SERVING_CLOCK_ANCHOR_MS: String(anchorMs) };
  const keyPrefix = `${uniqueName('recs-clock')}:`;
  const [featureStore, candidateGen, ranker, rules] = await Promise.all([
    startService('feature-store', {
      ...clock,
      ARTIFACTS_DIR: artifacts.dir,
      REDIS_URL: infra.redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
    }),
    startService('candidate-gen', { ARTIFACTS_DIR: artifacts.dir }),
    startService('ranker', { ...clock, ARTIFACTS_DIR: artifacts.dir }),
    startService('rules', {}),
  ]);
  running.push(featureStore, candidateGen, ranker, rules);
  stageEnv = {
    REDIS_URL: infra.redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    CANDIDATE_GEN_URL: candidateGen.url,
    RANKER_URL: ranker.url,
    RULES_URL: rules.url,
  };
  // SERVING_CLOCK unset: the data clock is the default.
  onDataClock = await startRecApi({ SERVING_CLOCK_ANCHOR_MS: String(anchorMs) });
});

afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  for (const copy of copies) copy.remove();
});

describe('rec-api on the serving clock', () => {
  it('when rec-api runs on the data clock, then songs released in the weeks before the data end get a freshness lift', async () => {
    const changes = await freshnessChanges(onDataClock);

    expect(changes.length).toBeGreaterThan(0);
    for (const change of changes) {
      const ageDays = (dataEndMs - songs[change.songId]!.releaseMs) / DAY_MS;
      expect(ageDays).toBeGreaterThanOrEqual(0);
      expect(ageDays).toBeLessThan(FRESH_DAYS);
      expect(change.reason).toMatch(/^released \d+\.\d days ago: moved up [1-3] place/);
    }
  });

  it('when rec-api runs on the wall clock, then no list has a freshness lift: every song is months old', async () => {
    const api = await startRecApi({ SERVING_CLOCK: 'wall' });

    const changes = await freshnessChanges(api);

    expect(changes).toEqual([]);
    expect(api.log()).toContain('serving clock: wall time (SERVING_CLOCK=wall)');
  });

  it('when rec-api starts on the data clock, then its start-up log names the data end and the anchor', async () => {
    const line = onDataClock
      .log()
      .split('\n')
      .find((l) => l.includes('serving clock'));

    expect(JSON.parse(line!)).toMatchObject({
      clock: 'data',
      dataEnd: new Date(dataEndMs).toISOString(),
      anchor: new Date(anchorMs).toISOString(),
    });
  });

  it('when the artifact set predates the data window, then rec-api serves on the wall clock and says so', async () => {
    const old = brokenCopy(artifacts, (dir) => {
      const file = join(dir, 'manifest.json');
      const { dataWindow: _dropped, ...manifest } = JSON.parse(readFileSync(file, 'utf8'));
      writeFileSync(file, JSON.stringify(manifest));
    });
    copies.push(old);

    const api = await startRecApi({ ARTIFACTS_DIR: old.dir });

    expect(api.log()).toContain('no dataWindow');
    const res = await fetch(`${api.url}/v1/recommendations/${users[0]!.id}?region=${users[0]!.region}`);
    expect(res.status).toBe(200);
  });
});
