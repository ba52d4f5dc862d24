// Why this test exists: no service authenticates its callers (txn-api takes
// payments, the feature store takes listens), so on a laptop each must listen
// on loopback only unless `npm start -- --expose` says otherwise. It starts
// services with the environment the local runner gives them (the manifest,
// resolved by `localServiceEnv`) and fails when any listens on another
// address, so that a change to the manifest, to the shared config's HOST
// default or to a service's `listen` cannot open the stack to the network
// unnoticed. Each start ends with the stack's stop (SIGTERM), which must exit 0.
//
// The services run from their TypeScript sources (as the services' own
// process tests do) rather than from `dist/`, so that no build is needed and
// the code under test is the code in the tree. Kafka and Redis names are
// made unique, as the runner's defaults would share state with other tests
// on the test servers; where the services listen does not depend on them.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localServiceEnv } from '../src/commands/start.js';
import { STOP_GRACE_MS, serviceByName } from '../src/manifest.js';
import { ROOT } from '../src/paths.js';
import { portOpen, waitFor } from '../src/ports.js';

const run = `${Date.now().toString(36)}-${process.pid}`;

/**
 * The services started, with what each needs beyond the manifest to keep off other tests' topics,
 * groups and keys. The feature store is left out: it writes the whole artifact set into Redis at
 * start, which this test would then have to delete; it listens through the same config and call.
 */
const ISOLATION: Record<string, Record<string, string>> = {
  rules: {},
  'candidate-gen': {},
  ranker: {},
  // Reads the feature store's Redis, writes nothing; the stages it calls need not be up to be ready.
  'rec-api': {},
  'fraud-scorer': {
    ENRICHED_TOPIC: `loopback-enriched-${run}`,
    DECISIONS_TOPIC: `loopback-decisions-${run}`,
    DLQ_TOPIC: `loopback-dlq-${run}`,
    CONSUMER_GROUP: `loopback-scorer-${run}`,
    // Its transactional id: the default would fence another test's scorer.
    INSTANCE_ID: run,
  },
  'txn-api': {
    TRANSACTIONS_TOPIC: `loopback-transactions-${run}`,
    DECISIONS_TOPIC: `loopback-decisions-${run}`,
    DLQ_TOPIC: `loopback-dlq-${run}`,
    DECISION_GROUP: `loopback-txn-decisions-${run}`,
    FEATURE_ENGINE_GROUP: `loopback-engine-${run}`,
  },
  'feature-engine': {
    TRANSACTIONS_TOPIC: `loopback-transactions-${run}`,
    CHARGEBACKS_TOPIC: `loopback-chargebacks-${run}`,
    ENRICHED_TOPIC: `loopback-enriched-${run}`,
    DLQ_TOPIC: `loopback-dlq-${run}`,
    CONSUMER_GROUP: `loopback-engine-${run}`,
    INSTANCE_ID: run,
    STATE_NAMESPACE: `loopback-fe-${run}`,
  },
  'fraud-monitor': {
    DECISIONS_TOPIC: `loopback-decisions-${run}`,
    CHARGEBACKS_TOPIC: `loopback-chargebacks-${run}`,
    ENRICHED_TOPIC: `loopback-enriched-${run}`,
    DLQ_TOPIC: `loopback-dlq-${run}`,
    CONSUMER_GROUP: `loopback-monitor-${run}`,
    LABELS_NAMESPACE: `loopback-fm-${run}`,
  },
};

let infra: { redisUrl: string; kafkaBrokers: string[] };
beforeAll(() => {
  const { REDIS_URL, KAFKA_BROKERS } = process.env;
  if (!REDIS_URL || !KAFKA_BROKERS) {
    throw new Error(
      'REDIS_URL and KAFKA_BROKERS must name the test servers (npm test sets them; `npm run infra -- up --profile test` starts them)',
    );
  }
  infra = { redisUrl: REDIS_URL, kafkaBrokers: KAFKA_BROKERS.split(',') };
});

/** A TCP port free on 127.0.0.1 now (infra does not depend on testkit, whose `freePort` this is). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
}

const running: ChildProcess[] = [];

async function startAsTheStackDoes(name: string, env: Record<string, string | undefined>): Promise<Started> {
  const spec = serviceByName(name);
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--conditions=@mlsys/source', '--import', 'tsx', join(ROOT, spec.dir, 'src', 'main.ts')],
    {
      cwd: join(ROOT, spec.dir),
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.push(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}${spec.health.ready}`)).status === 200,
    {
      timeoutMs: 60_000,
      intervalMs: 200,
      failFast: () => (child.exitCode === null ? undefined : `${name} exited at start:\n${output}`),
    },
    () => `${name} was not ready on port ${port} within 60 s:\n${output}`,
  );
  return { child, port, output: () => output };
}

function stackEnv(name: string): Record<string, string> {
  const env = localServiceEnv(serviceByName(name), infra, {
    dataProfile: 'tiny',
    listenHost: '127.0.0.1',
    servingClockAnchorMs: Date.now(),
  });
  return { ...env, ...ISOLATION[name] };
}

/** The stack's stop: SIGTERM, SIGKILL after the grace; resolves with how the process ended. */
function stop(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal });
    });
    child.kill('SIGTERM');
  });
}

afterEach(async () => {
  await Promise.all(running.splice(0).map(stop));
});

/** The TCP sockets a process listens on, from /proc: its socket inodes matched against /proc/net/tcp{,6}. */
function listeningAddresses(pid: number): Array<{ address: string; port: number }> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match) inodes.add(match[1]!);
    } catch {
      // The descriptor closed between the listing and the read.
    }
  }
  const found: Array<{ address: string; port: number }> = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1]!, fields[3]!, fields[9]!];
      // 0A is TCP_LISTEN.
      if (state !== '0A' || !inodes.has(inode)) continue;
      const [hex, port] = local.split(':') as [string, string];
      found.push({ address: decodeAddress(hex), port: Number.parseInt(port, 16) });
    }
  }
  return found;
}

/** /proc/net prints an address as 32-bit words in host (little-endian) byte order. */
function decodeAddress(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const chunk = hex.slice(word, word + 8);
    for (let i = 6; i >= 0; i -= 2) bytes.push(Number.parseInt(chunk.slice(i, i + 2), 16));
  }
  if (bytes.length === 4) return bytes.join('.');
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

const isLoopback = (address: string) =>
  address.startsWith('127.') || address.startsWith('::ffff:127.') || address === '::1';

/** This machine's addresses other than loopback (link-local IPv6 left out: it needs a scope to dial). */
const otherAddresses = () =>
  Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((a) => !a.internal && !a.address.startsWith('fe80:'))
    .map((a) => a.address);

async function expectLoopbackOnly(name: string, started: Started): Promise<void> {
  const listening = listeningAddresses(started.child.pid!);
  expect(listening, `${name} listens on its port`).toContainEqual(
    expect.objectContaining({ port: started.port }),
  );
  expect(
    listening.filter((socket) => !isLoopback(socket.address)),
    `${name}'s listening sockets other than loopback`,
  ).toEqual([]);
  for (const address of otherAddresses()) {
    expect(await portOpen(address, started.port), `${name} answers on ${address}`).toBe(false);
  }
  expect(await portOpen('127.0.0.1', started.port)).toBe(true);
}

describe('where the stack listens', () => {
  it.each(Object.keys(ISOLATION))(
    'when %s is started as `npm start` starts it, then it listens on loopback only, and SIGTERM stops it with exit 0',
    async (name) => {
      const started = await startAsTheStackDoes(name, stackEnv(name));

      await expectLoopbackOnly(name, started);

      const ended = await stop(started.child);
      expect(ended, started.output()).toEqual({ code: 0, signal: null });
    },
    120_000,
  );

  it('when HOST is not set at all, then the shared config has a service listen on loopback only', async () => {
    const { HOST: _, ...withoutHost } = stackEnv('rules');

    const started = await startAsTheStackDoes('rules', withoutHost);

    await expectLoopbackOnly('rules', started);
  });
});
