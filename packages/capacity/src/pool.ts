// Sizing one service: how many single-threaded processes carry its load at
// the target utilisation, the cores they burn, and the queueing wait a
// request meets there.
//
// Every service of this repo is one Node process with one event loop, so an
// instance is one worker on one core; scale-out is more processes behind a
// balancer (least-outstanding-requests, close to one shared queue: M/G/c
// with c = instances). A process's fixed background share b takes its part
// of the core first, so a request's service time stretches to S / (1 - b).
import type { CpuCost } from './cpu-fit.js';
import { type Figure, model } from './figure.js';
import { type MgcWait, mgcWait } from './queueing.js';

export interface PoolSpec {
  service: string;
  /** Requests per second each copy of the pool serves at the sizing load. */
  arrivals: Figure;
  cpu: CpuCost;
  /** cs² of the service time. */
  serviceCv2: Figure;
  /**
   * How many instances per copy: sized so each stays under a target share of
   * its core with a minimum (settings), or a fixed count (the fleet a bench
   * ran, to check the model against it).
   */
  fleet: { utilisation: Figure; minInstances: Figure } | { instances: Figure };
  /** Identical copies, e.g. index shards that every request visits; 1 by default. */
  copies?: Figure;
  /**
   * `balanced` (default): any instance serves any request, one queue for
   * all (M/G/c). `owned`: a request can only go to the instance owning its
   * key (a Kafka partition's owner), so each instance is its own M/G/1 at
   * rate / n: no pooling, longer waits at the same utilisation.
   */
  routing?: 'balanced' | 'owned';
}

export interface Pool {
  service: string;
  arrivals: Figure;
  cpu: CpuCost;
  /** Identical copies (shards); each sees the whole arrival rate. */
  copies: Figure;
  /** Instances per copy. */
  instancesPerCopy: Figure;
  /** Instances over all copies. */
  instances: Figure;
  /** Cores in use over all copies at the sizing load: λ·S + n·b per copy. */
  cores: Figure;
  /** The waiting time of one copy; undefined when an input is not measured. */
  wait: MgcWait | undefined;
  waitP99Ms: Figure;
}

/** n = max(minimum, ⌈λ·S / (u - b)⌉): each process's requests plus its background stay under u. */
export function instancesFor(
  arrivalsPerSecond: number,
  marginalMs: number,
  fixedCores: number,
  utilisation: number,
  minimum: number,
): number {
  if (utilisation <= fixedCores) return Number.POSITIVE_INFINITY;
  const busy = (arrivalsPerSecond * marginalMs) / 1000;
  return Math.max(minimum, Math.ceil(busy / (utilisation - fixedCores) - 1e-9));
}

export function sizePool(spec: PoolSpec): Pool {
  const { marginalMs, fixedCores } = spec.cpu;
  const perCopy =
    'instances' in spec.fleet
      ? spec.fleet.instances
      : model(
          'instances',
          'max(min, ceil(rate x CPU / (util - fixed)))',
          [spec.arrivals, marginalMs, fixedCores, spec.fleet.utilisation, spec.fleet.minInstances],
          instancesFor,
        );
  const copies = spec.copies ?? { value: 1, unit: 'copies', source: { kind: 'given', note: 'one copy' } };
  // One copy: the per-copy figures are the pool's, with no "x 1" in their sources.
  const instances = spec.copies
    ? model('instances', 'per shard x shards', [perCopy, spec.copies], (n, c) => n * c)
    : perCopy;
  const coresOfOne = (rate: number, ms: number, n: number, fixed: number) => (rate * ms) / 1000 + n * fixed;
  const cores = spec.copies
    ? model(
        'cores',
        '(rate x CPU + n x fixed) x shards',
        [spec.arrivals, marginalMs, perCopy, fixedCores, spec.copies],
        (rate, ms, n, fixed, c) => coresOfOne(rate, ms, n, fixed) * c,
      )
    : model('cores', 'rate x CPU + n x fixed', [spec.arrivals, marginalMs, perCopy, fixedCores], coresOfOne);
  let wait: MgcWait | undefined;
  const inputs = [spec.arrivals, marginalMs, fixedCores, perCopy, spec.serviceCv2];
  if (inputs.every((f) => f.value !== null) && Number.isFinite(perCopy.value)) {
    const owned = spec.routing === 'owned';
    wait = mgcWait({
      servers: owned ? 1 : perCopy.value!,
      arrivalsPerSecond: owned ? spec.arrivals.value! / perCopy.value! : spec.arrivals.value!,
      meanServiceMs: marginalMs.value! / (1 - fixedCores.value!),
      serviceCv2: spec.serviceCv2.value!,
    });
  }
  const waitP99Ms = model(
    'ms',
    spec.routing === 'owned' ? 'M/G/1 wait p99 at rate / instances' : 'M/G/c wait p99, c = instances',
    inputs,
    () => wait?.quantileMs(0.99) ?? Number.NaN,
  );
  return {
    service: spec.service,
    arrivals: spec.arrivals,
    cpu: spec.cpu,
    copies,
    instancesPerCopy: perCopy,
    instances,
    cores,
    wait,
    waitP99Ms,
  };
}
