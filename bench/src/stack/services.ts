// Services and helper processes as children of a bench, run from their TypeScript sources
// (node + tsx) as `npm start` runs them from their build, each in its own process: in-process
// they would share one event loop, which is not the system being measured.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@mlsys/testkit';
import { repoRoot } from '../paths.js';

/** How stage processes are launched, so a launch setting can be measured before the stack adopts it. */
export interface NodeLaunch {
  /** Where each process writes its CPU profile (node --cpu-prof), if profiling. */
  cpuProfileDir?: string;
  /** Extra node flags for every stage process. */
  stageNodeArgs?: string[];
}

export interface Stage {
  name: string;
  child: ChildProcess;
  /** `http://127.0.0.1:<port>`, for the ones that serve HTTP. */
  url?: string;
  /** Where its Prometheus metrics are (the services; not the pass-through workers). */
  metricsUrl?: string;
  stop(): Promise<void>;
}

/** How long a service may take from spawn to a ready `/readyz` (it loads models and joins groups). */
const READY_WITHIN_MS = 60_000;

/** Services log warnings and errors to stdout (shown: LOG_LEVEL is warn); workers say `ready` there. */
export function spawnNode(
  args: string[],
  env: Record<string, string>,
  stdout: 'pipe' | 'inherit' = 'pipe',
  launch?: NodeLaunch,
): ChildProcess {
  const flags = [
    ...(launch?.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${launch.cpuProfileDir}`] : []),
    ...(launch?.stageNodeArgs ?? []),
  ];
  return spawn(process.execPath, [...flags, '--conditions=@mlsys/source', '--import', 'tsx', ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', stdout, 'inherit'],
  });
}

/** A child as a stage: `stop` sends SIGTERM (the service's ordered shutdown) and waits for the exit. */
export function stageOf(name: string, child: ChildProcess): Stage {
  return {
    name,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** services/<service>/src/main.ts with `env`, once its `/readyz` says ready. */
export function startService(
  launch: NodeLaunch,
  service: string,
  env: Record<string, string>,
  port?: number,
): Promise<Stage> {
  return startServer(launch, service, join(repoRoot, 'services', service, 'src', 'main.ts'), env, port);
}

/**
 * Any entry point that serves `/readyz` on PORT: spawned with `env` plus
 * PORT (`port`, or a free one), returned once ready; a child that exits or
 * stays unready for a minute fails the start with its name.
 */
export async function startServer(
  launch: NodeLaunch,
  name: string,
  entry: string,
  env: Record<string, string>,
  port?: number,
): Promise<Stage> {
  const listenOn = port ?? (await freePort());
  const child = spawnNode([entry], { ...env, PORT: String(listenOn) }, 'inherit', launch);
  const url = `http://127.0.0.1:${listenOn}`;
  const stage: Stage = { ...stageOf(name, child), url, metricsUrl: `${url}/metrics` };
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited during start-up (code ${child.exitCode})`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return stage;
    if (Date.now() > deadline) {
      await stage.stop();
      throw new Error(`${name} was not ready within ${READY_WITHIN_MS / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
