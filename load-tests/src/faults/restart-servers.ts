import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HA_START, type HaLayout, haDir, haPidFile, kafkaNodeName, kafkaPropertiesOf } from './ha-layout.js';
import {
  commandWords,
  isRunning,
  KillRefused,
  type ProcessControl,
  type ProcessExpectation,
} from './process-check.js';

/**
 * Starts again the `ha` servers that are down (a killed Kafka node, a killed
 * Redis): `npm start` supervises the services, not the servers, so a dead
 * server stays dead until `npm run infra -- up --profile ha`, which starts
 * the missing ones and reuses the running ones. It is run as that command,
 * as a child process: the load tests do not depend on infra (infra is the
 * layer that provisions; the faults only poke at what it runs), and the
 * command is exactly what a user would type. A restarted Redis rejoins as a
 * replica of whichever primary the Sentinels named meanwhile.
 */

export const RESTART_SERVERS = 'ha-restart-servers';

/** The servers of the `ha` profile and the program each must run (infra/src/ha-servers.ts). */
export function haServers(layout: HaLayout): ProcessExpectation[] {
  const server = (name: string, expected: string, matches: (words: string[]) => boolean) => ({
    name,
    pidFile: haPidFile(layout, name),
    action: 'restart',
    kind: 'server' as const,
    startCommand: HA_START,
    expected,
    matches: (commandLine: string[]) => matches(commandWords(commandLine)),
  });
  const kafka = [1, 2, 3].map((id) => {
    const properties = kafkaPropertiesOf(layout, id);
    return server(
      kafkaNodeName(id),
      `kafka.Kafka with ${properties}`,
      (words) => words.includes('kafka.Kafka') && words.includes(properties),
    );
  });
  const program = (name: string) => (words: string[]) => words[0]?.endsWith(name) ?? false;
  return [
    ...kafka,
    server('redis', 'redis-server', program('redis-server')),
    server('redis-replica', 'redis-server', program('redis-server')),
    ...[1, 2, 3].map((i) => server(`redis-sentinel-${i}`, 'redis-sentinel', program('redis-sentinel'))),
    server('haproxy', 'haproxy', program('haproxy')),
  ];
}

/** The `ha` servers whose pid file does not name a live process of their program. */
export async function serversDown(layout: HaLayout, control: ProcessControl): Promise<string[]> {
  const down: string[] = [];
  for (const server of haServers(layout)) if (!(await isRunning(server, control))) down.push(server.name);
  return down;
}

/** Runs `infra up --profile ha`; resolves with its output, rejects with its tail when it fails. */
export type StartServers = (root: string) => Promise<string>;

/** The infra CLI from source, as `npm run infra -- up --profile ha` runs it (scripts/bootstrap.mjs, less its install check). */
export const infraUp: StartServers = (root) =>
  new Promise((resolvePromise, reject) => {
    const checkout = resolve(root);
    const child = spawn(
      process.execPath,
      [
        '--conditions=@mlsys/source',
        '--import',
        'tsx',
        join(checkout, 'infra', 'src', 'cli.ts'),
        'infra',
        'up',
        '--profile',
        'ha',
      ],
      { cwd: checkout, stdio: ['ignore', 'pipe', 'pipe'], env: process.env },
    );
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // `up` waits for the cluster itself (90 s at most); past five minutes something else is wrong.
    const timer = setTimeout(() => child.kill('SIGTERM'), 300_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(output);
      else
        reject(
          new Error(
            `infra up --profile ha ${signal ? `was stopped (${signal})` : `exited with ${code}`}: ${output.trim().split('\n').slice(-5).join(' | ')}`,
          ),
        );
    });
  });

/** Starts the servers that are down; refuses when this checkout has no ha stack. */
export async function restartServers(
  layout: HaLayout,
  control: ProcessControl,
  start: StartServers = infraUp,
): Promise<{ restarted: string[] }> {
  if (!existsSync(haDir(layout)))
    throw new KillRefused(
      `refusing to restart the ha servers: ${haDir(layout)} is missing; start the stack with ${HA_START}`,
    );
  const down = await serversDown(layout, control);
  if (down.length > 0) await start(layout.root);
  return { restarted: down };
}
