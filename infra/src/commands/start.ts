import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir, prepareArtifacts } from '../artifacts.js';
import { servicesInCheckout } from '../available.js';
import {
  type ArtifactSet,
  resolveEnv,
  type ServiceSpec,
  STACK_DATA_PROFILE,
  STOP_GRACE_MS,
  startOrder,
} from '../manifest.js';
import { CACHE, logsDir, ROOT } from '../paths.js';
import { waitFor } from '../ports.js';
import { ManagedProcess, tail } from '../processes.js';
import { bin, runInherit } from '../run.js';
import { bringUpInfra, pidFile, type RunningInfra, stopInfra } from '../servers.js';
import { ok, say, step, table, UserFacingError, warn } from '../ui.js';

const MAX_RESTARTS = 3;

interface RunningService {
  spec: ServiceSpec;
  process: ManagedProcess;
  restarts: number;
}

async function ready(spec: ServiceSpec): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${spec.port}${spec.health.ready}`, {
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

/** Where the services listen: loopback, unless `npm start -- --expose` says every interface. */
let listenHost = '127.0.0.1';

/** A service's environment as the local runner starts it. */
export function localServiceEnv(
  spec: ServiceSpec,
  infra: Pick<RunningInfra, 'redisUrl' | 'kafkaBrokers'>,
  options: { dataProfile: string; listenHost: string; servingClockAnchorMs: number },
): Record<string, string> {
  return resolveEnv(spec, {
    redisUrl: infra.redisUrl,
    kafkaBrokers: infra.kafkaBrokers.join(','),
    serviceUrl: (other) => `http://127.0.0.1:${other.port}`,
    listenHost: options.listenHost,
    artifactsDir: (set: ArtifactSet) => artifactsDir(set, options.dataProfile),
    servingClockAnchorMs: String(options.servingClockAnchorMs),
  });
}

function launch(spec: ServiceSpec, infra: RunningInfra, dataProfile: string): ManagedProcess {
  servingClockAnchorMs ??= Date.now();
  const env = localServiceEnv(spec, infra, { dataProfile, listenHost, servingClockAnchorMs });
  return ManagedProcess.start({
    name: spec.name,
    command: process.execPath,
    args: [...serviceNodeArgs(), '--enable-source-maps', join(ROOT, spec.dir, 'dist', 'main.js')],
    cwd: join(ROOT, spec.dir),
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    logFile: join(logsDir('stack'), `${spec.name}.log`),
    pidFile: pidFile('stack', spec.name),
  });
}

async function startService(
  spec: ServiceSpec,
  infra: RunningInfra,
  dataProfile: string,
): Promise<ManagedProcess> {
  const child = launch(spec, infra, dataProfile);
  const log = join(logsDir('stack'), `${spec.name}.log`);
  await waitFor(
    () => ready(spec),
    {
      timeoutMs: 120_000,
      intervalMs: 250,
      failFast: () => (child.running ? undefined : `${spec.name} exited at start:\n${tail(log)}`),
    },
    () => `${spec.name} was not ready on port ${spec.port} within 120 s; see ${log}`,
  );
  return child;
}

/**
 * The console's address with its action token, for the person at the terminal: the token file is
 * owner-only (0600), so when this output goes to a file or a pipe (CI, `npm start > start.log`)
 * the row says where the token is instead of copying it somewhere less private.
 */
function consoleLink(port: number): string {
  const url = `http://127.0.0.1:${port}/`;
  if (!process.stdout.isTTY) return `${url} (token: .cache/console-token)`;
  try {
    const token = readFileSync(join(CACHE, 'console-token'), 'utf8').trim();
    return token === '' ? url : `${url}?token=${encodeURIComponent(token)}`;
  } catch {
    return url;
  }
}

function printTable(infra: RunningInfra, services: RunningService[]): void {
  const pidOf = (name: string) => String(infra.started.find((p) => p.spec.name === name)?.pid ?? '');
  const rows = [
    ['name', 'design', 'url', 'pid', 'log'],
    ['redis', 'both', infra.redisUrl, pidOf('redis'), join('.cache/stack/logs', 'redis.log')],
    [
      'kafka',
      'both',
      `kafka://${infra.kafkaBrokers.join(',')}`,
      pidOf('kafka'),
      join('.cache/stack/logs', 'kafka.log'),
    ],
    ...services.map(({ spec, process }) => [
      spec.name,
      spec.design,
      spec.name === 'console' ? consoleLink(spec.port) : `http://127.0.0.1:${spec.port}`,
      String(process.pid),
      join('.cache/stack/logs', `${spec.name}.log`),
    ]),
  ];
  console.log(`\n${table(rows)}\n`);
  for (const { spec } of services) console.log(`  ${spec.name.padEnd(14)} ${spec.summary}`);
  console.log('\nThe stack is up. Ctrl-C stops it (services, then Kafka, then Redis).');
}

/**
 * `npm start`: Redis and Kafka, the models the services need, a build, then
 * every service in dependency order, each waited for on `/readyz`. It then
 * watches them: a service that dies is reported and restarted (a few times);
 * Kafka or Redis dying is reported and stops the stack, since nothing works
 * without them. Ctrl-C stops everything in order.
 */
export async function runStack(
  options: { dataProfile?: string; portOffset?: number; expose?: boolean } = {},
): Promise<number> {
  const dataProfile = options.dataProfile ?? STACK_DATA_PROFILE;
  if (options.expose) {
    listenHost = '0.0.0.0';
    warn(
      '--expose: the services listen on every interface, without authentication; anyone on this network can send payments and listens',
    );
  }
  const services = startOrder(servicesInCheckout());
  const needed = [...new Set(services.flatMap((s) => s.needs))];

  const infra = await bringUpInfra('stack', {
    keepAfterExit: false,
    reuse: false,
    portOffset: options.portOffset ?? 0,
  });
  const running: RunningService[] = [];
  let shuttingDown: Promise<number> | undefined;

  const shutdown = (code: number): Promise<number> => {
    shuttingDown ??= (async () => {
      say('stopping the stack');
      for (const service of [...running].reverse())
        await step(`stopping ${service.spec.name}`, () => service.process.stop(STOP_GRACE_MS));
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
        warn(
          `${server.spec.name} exited unexpectedly (${signal ?? `code ${code}`}); the stack cannot run without it.`,
        );
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

    for (const spec of services) {
      const child = await step(`starting ${spec.name} on port ${spec.port}`, () =>
        startService(spec, infra, dataProfile),
      );
      const entry: RunningService = { spec, process: child, restarts: 0 };
      running.push(entry);
      watch(entry, infra, dataProfile, () => shuttingDown !== undefined);
    }
  } catch (error) {
    await shutdown(1);
    throw error;
  }

  printTable(infra, running);
  return exitCode;
}

function watch(
  entry: RunningService,
  infra: RunningInfra,
  dataProfile: string,
  stopping: () => boolean,
): void {
  entry.process.onUnexpectedExit((code, signal) => {
    if (stopping()) return;
    warn(
      `${entry.spec.name} exited unexpectedly (${signal ?? `code ${code}`}); log: .cache/stack/logs/${entry.spec.name}.log`,
    );
    if (entry.restarts >= MAX_RESTARTS) {
      warn(`${entry.spec.name} crashed ${MAX_RESTARTS + 1} times; not restarting it again.`);
      return;
    }
    entry.restarts += 1;
    startService(entry.spec, infra, dataProfile)
      .then((child) => {
        entry.process = child;
        ok(`${entry.spec.name} restarted (restart ${entry.restarts} of ${MAX_RESTARTS})`);
        watch(entry, infra, dataProfile, stopping);
      })
      .catch((error: Error) => warn(`${entry.spec.name} could not be restarted: ${error.message}`));
  });
}
