import { describe, expect, it } from 'vitest';
import { given, measured } from '../src/figure.js';
import { instancesFor, sizePool } from '../src/pool.js';

const spec = (rate: number, routing?: 'balanced' | 'owned') => ({
  service: 's',
  arrivals: given(rate, 'req/s', 'rate'),
  cpu: { marginalMs: measured(2, 'ms', 'x.json#cpu'), fixedCores: measured(0.1, 'cores', 'x.json#fixed') },
  serviceCv2: given(1, '', 'exponential'),
  fleet: { utilisation: given(0.6, 'share', 'util'), minInstances: given(2, 'instances', 'min') },
  ...(routing ? { routing } : {}),
});

describe('sizing a pool', () => {
  it('when each process may use 0.6 of a core with 0.1 in the background, then 1000 req/s x 2 ms needs ceil(2 / 0.5) = 4', () => {
    expect(instancesFor(1000, 2, 0.1, 0.6, 2)).toBe(4);
  });

  it('when the load is tiny, then the minimum holds', () => {
    expect(instancesFor(1, 2, 0.1, 0.6, 2)).toBe(2);
  });

  it('when the background alone passes the target utilisation, then no count is enough', () => {
    expect(instancesFor(100, 2, 0.7, 0.6, 2)).toBe(Number.POSITIVE_INFINITY);
  });

  it('when the load grows, then instances and cores never fall and end higher', () => {
    const rates = [100, 1000, 5000, 20_000, 100_000];
    const pools = rates.map((r) => sizePool(spec(r)));
    for (let i = 1; i < pools.length; i++) {
      expect(pools[i]!.instances.value!).toBeGreaterThanOrEqual(pools[i - 1]!.instances.value!);
      expect(pools[i]!.cores.value!).toBeGreaterThan(pools[i - 1]!.cores.value!);
    }
    expect(pools.at(-1)!.instances.value!).toBeGreaterThan(pools[0]!.instances.value!);
  });

  it('when the utilisation of every instance stays under the target, then the wait model sees rho below it', () => {
    const pool = sizePool(spec(20_000));
    expect(pool.wait!.utilisation).toBeLessThan(0.6);
  });

  it('when requests are bound to an owner instead of balanced, then the same fleet waits longer', () => {
    const balanced = sizePool(spec(20_000));
    const owned = sizePool(spec(20_000, 'owned'));
    expect(owned.instances.value).toBe(balanced.instances.value);
    expect(owned.wait!.quantileMs(0.99)).toBeGreaterThan(balanced.wait!.quantileMs(0.99));
  });
});
