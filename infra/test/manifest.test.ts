import { describe, expect, it } from 'vitest';
import { INFRA_PORTS, resolveEnv, SERVICES, type ServiceSpec, startOrder } from '../src/manifest.js';

const spec = (name: string, dependsOn: string[]): ServiceSpec => ({
  name,
  design: 'recs',
  summary: name,
  dir: `services/${name}`,
  port: 1,
  env: {},
  dependsOn,
  needs: [],
  health: { live: '/livez', ready: '/readyz' },
});

describe('stack manifest', () => {
  it('when services depend on each other, then each starts after its dependencies', () => {
    const order = startOrder([
      spec('gateway', ['ranker', 'redis']),
      spec('ranker', ['store']),
      spec('store', ['redis']),
    ]);
    expect(order.map((s) => s.name)).toEqual(['store', 'ranker', 'gateway']);
  });

  it('when dependencies form a cycle, then ordering refuses it', () => {
    expect(() => startOrder([spec('a', ['b']), spec('b', ['a'])])).toThrow(/cycle/);
  });

  it('when listed, then no two services or servers share a port', () => {
    const ports = [
      ...SERVICES.map((s) => s.port),
      ...Object.values(INFRA_PORTS.stack),
      ...Object.values(INFRA_PORTS.test),
    ];
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('when env is resolved, then references become the target addresses', () => {
    const withRefs: ServiceSpec = {
      ...spec('x', []),
      env: {
        REDIS_URL: { redisUrl: true },
        KAFKA_BROKERS: { kafkaBrokers: true },
        MODE: { literal: 'fast' },
        MODELS: { artifacts: 'recs' },
      },
    };
    const env = resolveEnv(withRefs, {
      redisUrl: 'redis://r:1',
      kafkaBrokers: 'k:2',
      serviceUrl: () => 'unused',
      artifactsDir: (set) => `/models/${set}`,
    });
    expect(env).toEqual({
      REDIS_URL: 'redis://r:1',
      KAFKA_BROKERS: 'k:2',
      MODE: 'fast',
      MODELS: '/models/recs',
    });
  });
});
