import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ask, waitFor } from './ports.js';
import { probe } from './prereqs.js';
import { ManagedProcess, tail } from './processes.js';
import { UserFacingError, withHeartbeat } from './ui.js';

const INSTALL_HINT = 'Install it: apt-get install -y redis-server (macOS: brew install redis)';

export function canUseApt(): boolean {
  return (
    process.platform === 'linux' && process.getuid?.() === 0 && probe('apt-get', ['--version']) !== undefined
  );
}

export function aptInstall(packages: string[]): Promise<void> {
  const run = (args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('apt-get', args, {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`apt-get ${args[0]} exited with ${code}`)),
      );
      child.once('error', reject);
    });
  return withHeartbeat(
    `apt-get install ${packages.join(' ')}`,
    (async () => {
      try {
        await run(['install', '-y', '-q', ...packages]);
      } catch {
        // A fresh machine has no package lists yet.
        await run(['update', '-q']);
        await run(['install', '-y', '-q', ...packages]);
      }
    })(),
  );
}

/** Path of redis-server, installing it with apt when missing and this process may. */
export async function ensureRedisInstalled(): Promise<string> {
  if (probe('redis-server', ['--version']) !== undefined) return 'redis-server';
  if (!canUseApt())
    throw new UserFacingError(`Redis is required but \`redis-server\` is not on PATH. ${INSTALL_HINT}`);
  console.log('  redis-server is missing; installing it with apt-get');
  await aptInstall(['redis-server']);
  if (probe('redis-server', ['--version']) === undefined) {
    throw new UserFacingError(`apt-get installed redis-server but it is still not on PATH. ${INSTALL_HINT}`);
  }
  // Debian's package may start its own service on 6379; ours runs on its own ports and data dir.
  try {
    execFileSync('service', ['redis-server', 'stop'], { stdio: 'ignore' });
  } catch {
    /* no init system here: nothing was started */
  }
  return 'redis-server';
}

export interface RedisServerOptions {
  port: number;
  dir: string;
  logFile: string;
  pidFile: string;
  /** Append-only persistence: on for the stack (feature state survives a restart), off for tests. */
  persistent: boolean;
  keepAfterExit?: boolean;
  /** The process's name in logs and pid files: `redis` unless given. */
  name?: string;
  /** Port of the primary on 127.0.0.1 this server replicates (Sentinel may later promote it). */
  replicaOf?: number;
}

export async function startRedisServer(binary: string, options: RedisServerOptions): Promise<ManagedProcess> {
  mkdirSync(options.dir, { recursive: true });
  const args = [
    '--port',
    String(options.port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--dir',
    options.dir,
    '--daemonize',
    'no',
    '--save',
    '',
    '--appendonly',
    options.persistent ? 'yes' : 'no',
    '--appendfsync',
    'everysec',
    '--logfile',
    '',
    ...(options.replicaOf === undefined ? [] : ['--replicaof', '127.0.0.1', String(options.replicaOf)]),
  ];
  const server = ManagedProcess.start(
    {
      name: options.name ?? 'redis',
      command: binary,
      args,
      logFile: options.logFile,
      pidFile: options.pidFile,
    },
    { keepAfterExit: options.keepAfterExit ?? false },
  );
  // A persistent server answers only once it has replayed its append-only file: tens of seconds
  // for the feature store's key space on a busy machine (20.7 s was measured on an ha start).
  const timeoutMs = options.persistent ? 120_000 : 20_000;
  try {
    await waitForRedis(options.port, timeoutMs, () =>
      server.running ? undefined : `redis-server exited at start:\n${tail(options.logFile)}`,
    );
  } catch (error) {
    // Not left behind: the caller stops only the servers this function returned.
    await server.stop(10_000);
    throw error;
  }
  return server;
}

export async function redisAnswers(port: number): Promise<boolean> {
  return (await ask('127.0.0.1', port, 'PING\r\n').catch(() => '')).startsWith('+PONG');
}

export function waitForRedis(
  port: number,
  timeoutMs: number,
  failFast?: () => string | undefined,
): Promise<void> {
  return waitFor(
    () => redisAnswers(port),
    { timeoutMs, ...(failFast ? { failFast } : {}) },
    () => `Redis did not answer PING on 127.0.0.1:${port} within ${timeoutMs} ms`,
  );
}

export const redisDataDir = (profileDir: string) => join(profileDir, 'redis');
