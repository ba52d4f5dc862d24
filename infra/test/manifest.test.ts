import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { localServiceEnv } from '../src/commands/start.js';
import { renderCompose } from '../src/compose.js';
import { haPorts } from '../src/ha-servers.js';
import {
  HA_INSTANCES,
  INFRA_PORTS,
  PUBLIC_APIS,
  resolveEnv,
  SERVICES,
  type ServiceSpec,
  serviceByName,
  startOrder,
} from '../src/manifest.js';
import { haInstances, instancePorts } from '../src/manifest-ha.js';

const spec = (name: string, dependsOn: string[]): ServiceSpec => ({
  name,
  design: 'recs',
  summary: name,
  dir: `services/${name}`,
  port: 1,
  env: {},
  dependsOn,
  needs: [],
  health: { live: '/livez', ready: '/readyz', startPeriodMs: 1000 },
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

  it('when the ha profile is listed, then its servers and every instance of every service have ports of their own', () => {
    const ha = haPorts();
    const ports = [
      ...SERVICES.map((s) => s.port),
      ...SERVICES.flatMap((s) => instancePorts(s)),
      ...Object.values(INFRA_PORTS.stack),
      ...Object.values(INFRA_PORTS.test),
      ...ha.kafka,
      ...ha.kafkaControllers,
      ha.redis,
      ha.redisReplica,
      ...ha.sentinels,
      ha.balancerStats,
    ];
    expect(new Set(ports).size).toBe(ports.length);
    expect(SERVICES.map((s) => instancePorts(s).length)).toEqual(SERVICES.map(() => HA_INSTANCES));
  });

  it('when a service runs twice under ha, then each instance has its own port and instance id', () => {
    for (const spec of SERVICES.filter((s) => s.haSingleInstance === undefined)) {
      const instances = haInstances(spec);
      expect(instances.map((i) => i.name)).toEqual([`${spec.name}-1`, `${spec.name}-2`]);
      expect(instances.map((i) => i.env.PORT)).toEqual(instancePorts(spec).map(String));
      expect(new Set(instances.map((i) => i.env.INSTANCE_ID)).size).toBe(2);
    }
    expect(haInstances(serviceByName('rec-api')).map((i) => Object.keys(i.env).sort())).toEqual([
      ['INSTANCE_ID', 'PORT'],
      ['INSTANCE_ID', 'PORT'],
    ]);
  });

  it('when a service cannot run twice yet, then ha runs one instance of it and the manifest says why', () => {
    const single = SERVICES.filter((s) => s.haSingleInstance !== undefined);
    expect(single.map((s) => s.name).sort()).toEqual(['console', 'feature-engine']);
    expect(serviceByName('feature-engine').haSingleInstance).toMatch(/keyed by card/);
    for (const spec of single) expect(haInstances(spec).map((i) => i.name)).toEqual([`${spec.name}-1`]);
    // Where txn-api reaches the feature engine for its partitions: the instance itself.
    expect(haInstances(serviceByName('feature-engine')).map((i) => i.env.ADVERTISED_URL)).toEqual([
      'http://127.0.0.1:8191',
    ]);
  });

  it('when the ha balancer fronts a public API, then on the API’s manifest port, over its instances', () => {
    expect(haPorts().apis.map((api) => [api.name, api.port, api.instancePorts])).toEqual(
      PUBLIC_APIS.map((name) => [name, serviceByName(name).port, instancePorts(serviceByName(name))]),
    );
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
      listenHost: '127.0.0.1',
      artifactsDir: (set) => `/models/${set}`,
    });
    expect(env).toEqual({
      REDIS_URL: 'redis://r:1',
      KAFKA_BROKERS: 'k:2',
      MODE: 'fast',
      MODELS: '/models/recs',
    });
  });

  it('when the serving clock anchor is given, then every service that declares it gets the same value, and none without it', () => {
    const clocked = SERVICES.filter((s) => 'SERVING_CLOCK_ANCHOR_MS' in s.env);
    const target = {
      redisUrl: 'redis://r:1',
      kafkaBrokers: 'k:2',
      serviceUrl: () => 'http://s',
      listenHost: '127.0.0.1',
      artifactsDir: (set: string) => `/models/${set}`,
    };

    const anchored = clocked.map((s) => resolveEnv(s, { ...target, servingClockAnchorMs: '1764400000000' }));
    const unanchored = clocked.map((s) => resolveEnv(s, target));

    expect(clocked.map((s) => s.name).sort()).toEqual(['feature-store', 'ranker', 'rec-api']);
    expect(anchored.map((env) => env.SERVING_CLOCK_ANCHOR_MS)).toEqual(clocked.map(() => '1764400000000'));
    expect(unanchored.every((env) => !('SERVING_CLOCK_ANCHOR_MS' in env))).toBe(true);
  });
});

describe('where the stack listens', () => {
  const infra = { redisUrl: 'redis://127.0.0.1:6379', kafkaBrokers: ['127.0.0.1:9092'] };
  const local = (listenHost: string) =>
    SERVICES.map((spec) =>
      localServiceEnv(spec, infra, { dataProfile: 'tiny', listenHost, servingClockAnchorMs: 1 }),
    );

  it('when npm start runs the services, then every one listens on loopback only', () => {
    expect(local('127.0.0.1').map((env) => env.HOST)).toEqual(SERVICES.map(() => '127.0.0.1'));
  });

  it('when compose publishes ports, then only on loopback, while containers listen on their network', () => {
    const compose = parse(renderCompose(SERVICES)) as {
      services: Record<string, { ports?: string[]; environment?: Record<string, string> }>;
    };
    const published = Object.values(compose.services).flatMap((service) => service.ports ?? []);
    expect(published.length).toBeGreaterThan(SERVICES.length);
    expect(published.filter((port) => !port.startsWith('127.0.0.1:'))).toEqual([]);
    for (const spec of SERVICES) expect(compose.services[spec.name]!.environment!.HOST).toBe('0.0.0.0');
  });
});
