import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CACHE, ROOT } from '../paths.js';
import type { RunningInfra } from '../servers.js';
import type { ServiceUnit } from '../service-units.js';
import { table } from '../ui.js';

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

const fromRoot = (file: string) => relative(ROOT, file);

/** The rows of the servers: under the default profile Redis and Kafka, under `ha` every process of it. */
function serverRows(infra: RunningInfra): string[][] {
  const pidOf = (name: string) => String(infra.started.find((p) => p.spec.name === name)?.pid ?? '');
  if (!infra.ha) {
    return [
      ['redis', 'both', infra.redisUrl, pidOf('redis'), join('.cache/stack/logs', 'redis.log')],
      [
        'kafka',
        'both',
        `kafka://${infra.kafkaBrokers.join(',')}`,
        pidOf('kafka'),
        join('.cache/stack/logs', 'kafka.log'),
      ],
    ];
  }
  const ha = infra.ha;
  return [
    ...infra.started.map((server) => {
      const name = server.spec.name;
      const address = name.startsWith('kafka-')
        ? `kafka://${infra.kafkaBrokers[Number(name.slice('kafka-'.length)) - 1]}`
        : name.startsWith('redis-sentinel-')
          ? `sentinel ${ha.sentinels[Number(name.slice('redis-sentinel-'.length)) - 1]} (primary "${ha.sentinelPrimaryName}")`
          : name === 'haproxy'
            ? `${ha.balancerUrl}/stats`
            : `redis pair under the Sentinels; the primary now: ${infra.redisUrl}`;
      return [name, 'both', address, String(server.pid), fromRoot(server.spec.logFile)];
    }),
    ...Object.entries(ha.apis).map(([name, url]) => [
      `${name} (balancer)`,
      '',
      url,
      String(infra.started.find((p) => p.spec.name === 'haproxy')?.pid ?? ''),
      'HAProxy round-robin over the instances ready on /readyz',
    ]),
  ];
}

/** The start-up table: servers, then every service process with its address, pid and log. */
export function printStartTable(
  infra: RunningInfra,
  services: Array<{ unit: ServiceUnit; pid: number }>,
): void {
  const rows = [
    ['name', 'design', 'url', 'pid', 'log'],
    ...serverRows(infra),
    ...services.map(({ unit, pid }) => [
      unit.name,
      unit.spec.design,
      unit.spec.name === 'console' ? consoleLink(unit.port) : `http://127.0.0.1:${unit.port}`,
      String(pid),
      fromRoot(unit.logFile),
    ]),
  ];
  console.log(`\n${table(rows)}\n`);
  const specs = [...new Set(services.map(({ unit }) => unit.spec))];
  for (const spec of specs) console.log(`  ${spec.name.padEnd(14)} ${spec.summary}`);
  if (infra.ha) {
    const single = specs.filter((spec) => spec.haSingleInstance !== undefined);
    if (single.length > 0) console.log('\nOne instance under ha:');
    for (const spec of single) console.log(`  ${spec.name.padEnd(14)} ${spec.haSingleInstance}`);
    console.log(
      `\nThe ha stack is up: Redis through the Sentinels (${infra.redisUrl} is the primary now), 3 Kafka brokers, HAProxy in front of ${Object.keys(infra.ha.apis).join(' and ')}. A killed instance is restarted while the other serves. Ctrl-C stops it.`,
    );
    return;
  }
  console.log('\nThe stack is up. Ctrl-C stops it (services, then Kafka, then Redis).');
}
