import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot, waitUntil } from '@mlsys/testkit';

export { freePort };

export interface Running {
  url: string;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * Starts one recs service from its real entry point (sources, through tsx)
 * on a free port, and resolves once its `/readyz` answers 200.
 */
export async function startService(
  name: 'feature-store' | 'candidate-gen' | 'ranker' | 'rules',
  env: Record<string, string>,
): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--conditions=@mlsys/source', '--import', 'tsx', 'src/main.ts'], {
    cwd: join(repoRoot(), 'services', name),
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr}`);
        const res = await fetch(`${url}/readyz`);
        return res.ok;
      },
      { timeoutMs: 120_000, intervalMs: 100, what: `${name} to be ready` },
    );
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { url, stop: () => stopChild(child) };
}

/**
 * A Redis of the test's own, to stop and start again: it saves its data on
 * SIGTERM and loads it at start, so a restart brings the same features back
 * (as a real Redis with persistence would after an outage).
 */
export class DisposableRedis {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'recs-redis-'));

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '3600 1',
        '--appendonly',
        'no',
        // Lets a test stall the server with DEBUG SLEEP, from 127.0.0.1 only.
        '--enable-debug-command',
        'local',
      ],
      {
        stdio: 'ignore',
      },
    );
    await waitUntil(() => redisAnswers(this.port), {
      timeoutMs: 20_000,
      what: `redis-server on ${this.port}`,
    });
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child);
    this.child = undefined;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Resolves true once a Redis answers PING with PONG on the port. */
function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      resolve(data.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
  });
}
