/**
 * The `ha` profile's instances of the manifest's services: where each listens, what it is named
 * and what differs in its environment. The runner (`service-units.ts`), the balancer and
 * docker-compose.ha.yml all take them from here.
 */
import { HA_INSTANCES, type ServiceSpec } from './manifest.js';

/**
 * Where each instance of a service listens under the `ha` profile: its manifest port plus 100,
 * plus 200, so that the manifest port stays free for the balancer in front of a public API.
 */
export function instancePorts(spec: ServiceSpec, offset = 0): number[] {
  return Array.from({ length: HA_INSTANCES }, (_, i) => spec.port + 100 * (i + 1) + offset);
}

/** How many instances of a service the `ha` profile runs. */
export const haInstanceCount = (spec: ServiceSpec): number =>
  spec.haSingleInstance === undefined ? HA_INSTANCES : 1;

/** An instance's name in logs and pid files: `rec-api-1`, `rec-api-2`. */
export const instanceName = (spec: ServiceSpec, index: number) => `${spec.name}-${index + 1}`;

/** One of a service's instances under the `ha` profile. */
export interface ServiceInstance {
  name: string;
  port: number;
  /** What differs between a service's instances, laid over the environment `resolveEnv` gives. */
  env: Record<string, string>;
}

/**
 * A service's instances under the `ha` profile, for the runner that starts them: each its own
 * port, its own `INSTANCE_ID` (a transactional producer's id: one shared by two live instances
 * would fence one of them) kept across its restarts, and its own address wherever the service
 * names itself (the feature engine's `ADVERTISED_URL`, where txn-api reaches a partition's owner).
 */
export function haInstances(spec: ServiceSpec, offset = 0): ServiceInstance[] {
  const selfReferences = Object.entries(spec.env)
    .filter(([, value]) => 'serviceUrl' in value && value.serviceUrl === spec.name)
    .map(([name]) => name);
  return instancePorts(spec, offset)
    .slice(0, haInstanceCount(spec))
    .map((port, index) => ({
      name: instanceName(spec, index),
      port,
      env: {
        PORT: String(port),
        INSTANCE_ID: String(index + 1),
        ...Object.fromEntries(selfReferences.map((name) => [name, `http://127.0.0.1:${port}`])),
      },
    }));
}
