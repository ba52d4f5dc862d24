import { join } from 'node:path';
import { prepareArtifacts } from '../artifacts.js';
import { servicesInCheckout } from '../available.js';
import { STACK_DATA_PROFILE, STOP_GRACE_MS, startOrder } from '../manifest.js';
import { ROOT } from '../paths.js';
import { waitFor } from '../ports.js';
import { ManagedProcess, stopByPidFile, tail } from '../processes.js';
import { bin, runInherit } from '../run.js';
import { bringUpInfra, stopInfra } from '../servers.js';
import { haUnits, type ServiceUnit, stackUnits } from '../service-units.js';
import { ok, say, step, UserFacingError, warn } from '../ui.js';
import { printStartTable } from './start-table.js';

export { localServiceEnv } from '../service-units.js';

const MAX_RESTARTS = 3;

interface RunningService {
  unit: ServiceUnit;
  process: ManagedProcess;
  restarts: number;
}

async function ready(unit: ServiceUnit): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${unit.port}${unit.spec.health.ready}`, {
    signal: AbortSignal.timeout(1000),
  });
  return res.status === 200;
}

/**
 * Extra node flags for every service, from `MLSYS_SERVICE_NODE_ARGS` (space-separated), e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the stack under load: node refuses
 * `--cpu-prof` in NODE_OPTIONS.
 */
function serviceNodeArgs(): string[] {
  return (process.env.MLSYS_SERVICE_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
}

/** When the first service of this stack was launched: the recs serving clock's anchor, shared and kept across restarts. */
let servingClockAnchorMs: number | undefined;

function launch(unit: ServiceUnit): ManagedProcess {
  servingClockAnchorMs ??= Date.now();
  return ManagedProcess.start({
    name: unit.name,
    command: process.execPath,
    args: [...serviceNodeArgs(), '--enable-source-maps', join(ROOT, unit.spec.dir, 'dist', 'main.js')],
    cwd: join(ROOT, unit.spec.dir),
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...unit.env(servingClockAnchorMs) },
    logFile: unit.logFile,
    pidFile: unit.pidFile,
  });
}

/** How long a start may take: two minutes, or the manifest's start period when longer (the feature store's first materialisation). */
const startTimeoutMs = (unit: ServiceUnit) => Math.max(120_000, unit.spec.health.startPeriodMs);

/**
 * Waits until an instance is done with the start-up work only one instance may do at a time
 * (`haStartsAlone`): its ready answer no longer mentions it.
 */
async function settled(unit: ServiceUnit, busy: string): Promise<void> {
  await waitFor(
    async () => {
      const res = await fetch(`http://127.0.0.1:${unit.port}${unit.spec.health.ready}`, {
        signal: AbortSignal.timeout(1000),
      });
      return res.status === 200 && !(await res.text()).includes(busy);
    },
    { timeoutMs: startTimeoutMs(unit), intervalMs: 500 },
    () => `${unit.name} was still ${busy} after ${startTimeoutMs(unit) / 1000} s; see ${unit.logFile}`,
  );
}

async function startService(unit: ServiceUnit): Promise<ManagedProcess> {
  const child = launch(unit);
  const timeoutMs = startTimeoutMs(unit);
  try {
    await waitFor(
      () => ready(unit),
      {
        timeoutMs,
        intervalMs: 250,
        failFast: () => (child.running ? undefined : `${unit.name} exited at start:\n${tail(unit.logFile)}`),
      },
      () =>
        `${unit.name} was not ready on port ${unit.port} within ${timeoutMs / 1000} s; see ${unit.logFile}`,
    );
  } catch (error) {
    // Not left behind holding its port: the caller knows only the processes this returned.
    await child.stop(STOP_GRACE_MS);
    throw error;
  }
  return child;
}

/** Between a restart that failed (a server it needs still down, say) and the next. */
const RESTART_RETRY_MS = 5_000;

export interface StackOptions {
  /** `stack` (one instance of everything) or `ha` (replicated servers, two instances behind a balancer). */
  profile?: 'stack' | 'ha';
  dataProfile?: string;
  portOffset?: number;
  expose?: boolean;
}

/**
 * `npm start`: Redis and Kafka (under `ha` three Kafka nodes, a Redis pair with Sentinels and
 * HAProxy), the models the services need, a build, then every service in dependency order (under
 * `ha` each instance), each waited for on `/readyz`. It then watches them: a process that dies is
 * reported and restarted (a few times), and under `ha` the other instance serves meanwhile; a
 * server dying is reported and stops the stack under the default profile, which cannot run
 * without it. Ctrl-C stops everything in order.
 */
export async function runStack(options: StackOptions = {}): Promise<number> {
  const profile = options.profile ?? 'stack';
  const dataProfile = options.dataProfile ?? STACK_DATA_PROFILE;
  const portOffset = options.portOffset ?? 0;
  const listenHost = options.expose ? '0.0.0.0' : '127.0.0.1';
  if (options.expose) {
    warn(
      '--expose: the services listen on every interface, without authentication; anyone on this network can send payments and listens',
    );
  }
  const services = startOrder(servicesInCheckout());
  const needed = [...new Set(services.flatMap((s) => s.needs))];

  const infra = await bringUpInfra(profile, { keepAfterExit: false, reuse: false, portOffset });
  const units =
    profile === 'ha'
      ? haUnits(services, infra, { dataProfile, listenHost, portOffset })
      : stackUnits(services, infra, { dataProfile, listenHost });
  const running: RunningService[] = [];
  let shuttingDown: Promise<number> | undefined;

  const shutdown = (code: number): Promise<number> => {
    shuttingDown ??= (async () => {
      say('stopping the stack');
      for (const service of [...running].reverse())
        await step(`stopping ${service.unit.name}`, () => service.process.stop(STOP_GRACE_MS));
      await stopInfra(infra);
      return code;
    })();
    return shuttingDown;
  };

  const exitCode = new Promise<number>((resolve) => {
    // `on`, not `once`: a second Ctrl-C (or the same one relayed by a parent) must not kill the runner mid-shutdown.
    process.on('SIGINT', () => void shutdown(0).then(resolve));
    process.on('SIGTERM', () => void shutdown(0).then(resolve));
    for (const server of infra.started) {
      server.onUnexpectedExit((code, signal) => {
        const how = signal ?? `code ${code}`;
        // Under ha a server's loss is what the profile survives: a kill drill's fault, not the end.
        if (profile === 'ha') {
          warn(
            `${server.spec.name} exited (${how}); the ha stack runs on without it. Log: ${server.spec.logFile}`,
          );
          return;
        }
        warn(`${server.spec.name} exited unexpectedly (${how}); the stack cannot run without it.`);
        console.error(tail(server.spec.logFile));
        void shutdown(1).then(resolve);
      });
    }
  });

  try {
    await prepareArtifacts(needed, dataProfile);
    const built = await step('building the services (turbo, cached)', () =>
      runInherit(bin('turbo'), [
        'run',
        'build',
        ...services.map((s) => `--filter=./${s.dir}`),
        '--output-logs=errors-only',
      ]),
    );
    if (built !== 0) throw new UserFacingError('the build failed; see the output above');

    // A runner that was killed may have left services behind, holding the ports (and answering /readyz).
    for (const unit of units)
      if (await stopByPidFile(unit.pidFile)) say(`stopped a ${unit.name} left running by an earlier run`);
    // One instance after the other: the second finds what the first set up (the feature store's
    // materialised version, which a restart on the same artifacts does not write again).
    for (const [i, unit] of units.entries()) {
      const previous = units[i - 1];
      const busy = unit.spec.haStartsAlone;
      if (busy && previous?.spec === unit.spec)
        await step(`waiting for ${previous.name} to finish ${busy}`, () => settled(previous, busy));
      const child = await step(`starting ${unit.name} on port ${unit.port}`, () => startService(unit));
      const entry: RunningService = { unit, process: child, restarts: 0 };
      running.push(entry);
      watch(entry, () => shuttingDown !== undefined);
    }
  } catch (error) {
    await shutdown(1);
    throw error;
  }

  printStartTable(
    infra,
    running.map(({ unit, process }) => ({ unit, pid: process.pid })),
  );
  return exitCode;
}

function watch(entry: RunningService, stopping: () => boolean): void {
  const { unit } = entry;
  entry.process.onUnexpectedExit((code, signal) => {
    if (stopping()) return;
    warn(`${unit.name} exited unexpectedly (${signal ?? `code ${code}`}); log: ${unit.logFile}`);
    restart(entry, stopping);
  });
}

/** Restarts a process that died; a restart that fails is tried again, within the same budget of restarts. */
function restart(entry: RunningService, stopping: () => boolean): void {
  const { unit } = entry;
  if (stopping()) return;
  if (entry.restarts >= MAX_RESTARTS) {
    warn(`${unit.name} crashed or failed to restart ${MAX_RESTARTS + 1} times; not restarting it again.`);
    return;
  }
  entry.restarts += 1;
  startService(unit)
    .then((child) => {
      entry.process = child;
      // The stack began stopping while this restart was waiting for readiness: the stop missed it.
      if (stopping()) return void child.stop(STOP_GRACE_MS);
      ok(`${unit.name} restarted (restart ${entry.restarts} of ${MAX_RESTARTS})`);
      watch(entry, stopping);
    })
    .catch((error: Error) => {
      warn(
        `${unit.name} could not be restarted (${error.message}); trying again in ${RESTART_RETRY_MS / 1000} s`,
      );
      setTimeout(() => restart(entry, stopping), RESTART_RETRY_MS).unref();
    });
}
