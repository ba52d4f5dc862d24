import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KillRefused } from './process-check.js';

/**
 * Where the `ha` profile (`npm start -- --profile ha`) keeps what identifies
 * its processes, mirrored from infra (the load tests do not depend on it):
 * pid files in `.cache/ha/pids/<name>.pid` (infra/src/service-units.ts,
 * ha-servers.ts), each Kafka node's data and `server.properties` in
 * `.cache/ha/kafka-<id>/`, node ids 1..3, and the addresses it wrote to
 * `.cache/ha/endpoints.json`.
 */
export interface HaLayout {
  /** The checkout's root. */
  root: string;
}

export const haDir = (layout: HaLayout) => join(resolve(layout.root), '.cache', 'ha');
export const haPidFile = (layout: HaLayout, name: string) => join(haDir(layout), 'pids', `${name}.pid`);
export const kafkaNodeName = (nodeId: number) => `kafka-${nodeId}`;
export const kafkaPropertiesOf = (layout: HaLayout, nodeId: number) =>
  join(haDir(layout), kafkaNodeName(nodeId), 'server.properties');

export const HA_START = '`npm start -- --profile ha`';

/**
 * The services `npm start -- --profile ha` runs, with their manifest port
 * (infra/src/manifest.ts): instance n listens on port + 100·n. The console is
 * left out: it is no design's serving path, and the page a drill may be
 * watched from. The feature engine runs one instance until issue 11's item 2,
 * so killing it stops its service for a moment (txn-api answers rules-only).
 */
export const HA_SERVICE_PORTS = {
  'feature-store': 8081,
  'candidate-gen': 8082,
  ranker: 8083,
  rules: 8084,
  'rec-api': 8080,
  'txn-api': 8090,
  'feature-engine': 8091,
  'fraud-scorer': 8092,
  'fraud-monitor': 8093,
} as const;
export type HaService = keyof typeof HA_SERVICE_PORTS;
export const HA_SERVICES = Object.keys(HA_SERVICE_PORTS) as HaService[];

/** Services with one instance under `ha` (infra's `haSingleInstance`). */
export const SINGLE_INSTANCE: readonly HaService[] = ['feature-engine'];

export const instancesOf = (service: HaService): number => (SINGLE_INSTANCE.includes(service) ? 1 : 2);
export const haInstanceName = (service: HaService, n: number) => `${service}-${n}`;
export const haInstanceUrl = (service: HaService, n: number) =>
  `http://127.0.0.1:${HA_SERVICE_PORTS[service] + 100 * n}`;

/** What `.cache/ha/endpoints.json` holds that the faults read. */
export interface HaEndpoints {
  kafkaBrokers: string[];
  sentinels: string[];
  sentinelPrimaryName: string;
}

/** Reads the `ha` profile's endpoints; refuses when this checkout has not started it. */
export function readHaEndpoints(layout: HaLayout): HaEndpoints {
  const file = join(haDir(layout), 'endpoints.json');
  if (!existsSync(file))
    throw new KillRefused(
      `no ha stack in this checkout (${file} is missing): start it with ${HA_START} and wait for its table`,
    );
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<HaEndpoints>;
  const { kafkaBrokers, sentinels, sentinelPrimaryName } = raw;
  if (!Array.isArray(kafkaBrokers) || !Array.isArray(sentinels) || typeof sentinelPrimaryName !== 'string')
    throw new KillRefused(
      `${file} does not list kafkaBrokers, sentinels and sentinelPrimaryName; restart the stack with ${HA_START}`,
    );
  return { kafkaBrokers, sentinels, sentinelPrimaryName };
}
