import { sentinelRedisUrl } from '@mlsys/config';
import { artifactsDir } from './artifacts.js';
import {
  type ArtifactSet,
  type EnvTarget,
  HA_REPLICATION,
  PUBLIC_APIS,
  resolveEnv,
  type ServiceSpec,
} from './manifest.js';
import { haInstances } from './manifest-ha.js';
import { logsDir, type Profile, pidsDir } from './paths.js';
import type { RunningInfra } from './servers.js';

/**
 * One process `npm start` runs and supervises: a service under the default profile, one
 * instance of a service under `ha` (`rec-api-1`, `rec-api-2`).
 */
export interface ServiceUnit {
  /** Its name in logs, pid files and the start-up table. */
  name: string;
  spec: ServiceSpec;
  port: number;
  profile: Exclude<Profile, 'test'>;
  logFile: string;
  pidFile: string;
  /** Its environment, given the serving clock's anchor (set when the first service is launched). */
  env(servingClockAnchorMs: number): Record<string, string>;
}

export interface UnitOptions {
  dataProfile: string;
  listenHost: string;
}

const local = (port: number) => `http://127.0.0.1:${port}`;

/** The environment `resolveEnv` needs for processes on this machine, whatever the profile. */
function localTarget(
  infra: Pick<RunningInfra, 'redisUrl' | 'kafkaBrokers'>,
  options: UnitOptions & { servingClockAnchorMs: number },
): EnvTarget {
  return {
    redisUrl: infra.redisUrl,
    kafkaBrokers: infra.kafkaBrokers.join(','),
    serviceUrl: (other) => local(other.port),
    listenHost: options.listenHost,
    artifactsDir: (set: ArtifactSet) => artifactsDir(set, options.dataProfile),
    servingClockAnchorMs: String(options.servingClockAnchorMs),
  };
}

/** A service's environment as the local runner starts it under the default profile. */
export function localServiceEnv(
  spec: ServiceSpec,
  infra: Pick<RunningInfra, 'redisUrl' | 'kafkaBrokers'>,
  options: UnitOptions & { servingClockAnchorMs: number },
): Record<string, string> {
  return resolveEnv(spec, localTarget(infra, options));
}

/** The default profile: one process per service, on its manifest port. */
export function stackUnits(
  services: readonly ServiceSpec[],
  infra: Pick<RunningInfra, 'redisUrl' | 'kafkaBrokers'>,
  options: UnitOptions,
): ServiceUnit[] {
  return services.map((spec) => ({
    name: spec.name,
    spec,
    port: spec.port,
    profile: 'stack',
    logFile: `${logsDir('stack')}/${spec.name}.log`,
    pidFile: `${pidsDir('stack')}/${spec.name}.pid`,
    env: (servingClockAnchorMs) => localServiceEnv(spec, infra, { ...options, servingClockAnchorMs }),
  }));
}

/**
 * The `ha` profile's environment for one instance of a service: Redis through the Sentinels (a
 * `redis-sentinel://` REDIS_URL: the services follow a failover without a restart), the three
 * brokers, a public API by its balancer, every instance of a service a caller spreads its calls
 * over (`serviceUrls`), and instance 1 where a service names one address of another (the
 * console's scrape). The instance's own port, INSTANCE_ID and self-address are laid over it.
 */
export function haServiceEnv(
  spec: ServiceSpec,
  instanceEnv: Record<string, string>,
  infra: Pick<RunningInfra, 'redisUrl' | 'kafkaBrokers' | 'ha'>,
  options: UnitOptions & { servingClockAnchorMs: number; portOffset: number },
): Record<string, string> {
  const ha = infra.ha;
  if (!ha) throw new Error('the ha profile needs the servers of `bringUpInfra("ha")`');
  const instanceUrls = (other: ServiceSpec) =>
    haInstances(other, options.portOffset).map((i) => local(i.port));
  const env = resolveEnv(spec, {
    ...localTarget(infra, options),
    redisUrl: sentinelRedisUrl(ha.sentinels, ha.sentinelPrimaryName),
    topicReplication: HA_REPLICATION,
    serviceUrl: (other) =>
      (PUBLIC_APIS as readonly string[]).includes(other.name)
        ? ha.apis[other.name]!
        : instanceUrls(other)[0]!,
    serviceUrls: instanceUrls,
  });
  return { ...env, ...instanceEnv };
}

/** The `ha` profile: each service's instances (two, or one where the manifest says why), in start order. */
export function haUnits(
  services: readonly ServiceSpec[],
  infra: Pick<RunningInfra, 'redisUrl' | 'kafkaBrokers' | 'ha'>,
  options: UnitOptions & { portOffset: number },
): ServiceUnit[] {
  return services.flatMap((spec) =>
    haInstances(spec, options.portOffset).map((instance) => ({
      name: instance.name,
      spec,
      port: instance.port,
      profile: 'ha' as const,
      logFile: `${logsDir('ha')}/${instance.name}.log`,
      pidFile: `${pidsDir('ha')}/${instance.name}.pid`,
      env: (servingClockAnchorMs: number) =>
        haServiceEnv(spec, instance.env, infra, { ...options, servingClockAnchorMs }),
    })),
  );
}
