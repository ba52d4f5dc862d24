import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './infra.js';
import { freePort } from './ports.js';
import { waitUntil } from './wait.js';

/**
 * A service run as its own process from its TypeScript entry, as `npm start`
 * runs it from the build: so that a test can kill it the hard way (SIGKILL:
 * no shutdown hook, no commit) and start another.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private output: string[] = [];

  private constructor(
    readonly service: string,
    readonly port: number,
  ) {}

  static async start(service: string, env: Record<string, string>): Promise<ServiceProcess> {
    const port = await freePort();
    const process_ = new ServiceProcess(service, port);
    await process_.spawn(env);
    return process_;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The last lines the service wrote, for a failing test's message. */
  get recentOutput(): string {
    return this.output.slice(-20).join('');
  }

  /**
   * Why the service exited: its "<service> cannot start: <why>" line first
   * (a report keeps only a message's first line, and kafkajs' own error logs
   * come before it), then what it wrote last.
   */
  private exitReason(): string {
    const output = this.recentOutput;
    const why = output.split('\n').find((line) => line.includes(`${this.service} cannot start:`));
    const code = this.child?.exitCode ?? this.child?.signalCode;
    return `${this.service} exited during start-up (${code}): ${why ?? '(no "cannot start" line)'}\n${output}`;
  }

  get exited(): boolean {
    return !this.child || this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** A crash: the process gets no chance to commit, flush or leave its consumer group. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || this.exited) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** A graceful stop (SIGTERM), as an orchestrator does. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.exited) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  private async spawn(env: Record<string, string>): Promise<void> {
    const root = repoRoot();
    const entry = join(root, 'services', this.service, 'src', 'main.ts');
    const child = spawn(process.execPath, ['--conditions=@mlsys/source', '--import', 'tsx', entry], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: String(this.port),
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString('utf8'));
      if (this.output.length > 200) this.output.splice(0, 100);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', () => reject(new Error(this.exitReason()))),
    );
    exited.catch(() => {});
    const ready = waitUntil(
      async () => {
        const res = await fetch(`${this.url}/readyz`);
        return res.status === 200;
      },
      { timeoutMs: 45_000, intervalMs: 100, what: `${this.service} to be ready` },
    );
    await Promise.race([ready, exited]);
  }
}
