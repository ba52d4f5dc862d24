import { parseRedisAddress } from '@mlsys/config';
import { describe, expect, it } from 'vitest';
import { haPorts } from '../src/ha-servers.js';
import { SENTINEL_PRIMARY_NAME, SERVICES, serviceByName, startOrder } from '../src/manifest.js';
import { haServiceEnv, haUnits, stackUnits } from '../src/service-units.js';

const OFFSET = 30_000;
const ports = haPorts(OFFSET);
const infra = {
  redisUrl: `redis://127.0.0.1:${ports.redis}`,
  kafkaBrokers: ports.kafka.map((port) => `127.0.0.1:${port}`),
  ha: {
    sentinels: ports.sentinels.map((port) => `127.0.0.1:${port}`),
    sentinelPrimaryName: SENTINEL_PRIMARY_NAME,
    balancerUrl: `http://127.0.0.1:${ports.balancerStats}`,
    apis: Object.fromEntries(ports.apis.map((api) => [api.name, `http://127.0.0.1:${api.port}`])),
  },
};
const options = { dataProfile: 'tiny', listenHost: '127.0.0.1', portOffset: OFFSET };
const units = haUnits(startOrder(SERVICES), infra, options);
const envOf = (name: string) => units.find((u) => u.name === name)!.env(1);

describe('the ha profile’s services', () => {
  it('when started, then every service runs twice, but the feature engine and the console once, each on its instance port', () => {
    expect(units.map((u) => [u.name, u.port])).toEqual(
      startOrder(SERVICES).flatMap((spec) =>
        (spec.haSingleInstance === undefined ? [1, 2] : [1]).map((i) => [
          `${spec.name}-${i}`,
          spec.port + 100 * i + OFFSET,
        ]),
      ),
    );
    for (const unit of units) {
      expect(unit.pidFile).toMatch(new RegExp(`/.cache/ha/pids/${unit.name}\\.pid$`));
      expect(unit.env(1).PORT).toBe(String(unit.port));
    }
  });

  it('when a service uses Redis, then it reaches the primary through all three Sentinels', () => {
    for (const unit of units.filter((u) => 'REDIS_URL' in u.spec.env)) {
      expect(parseRedisAddress(unit.env(1).REDIS_URL!)).toEqual({
        kind: 'sentinel',
        sentinels: ports.sentinels.map((port) => ({ host: '127.0.0.1', port })),
        name: SENTINEL_PRIMARY_NAME,
        db: 0,
      });
    }
  });

  it('when a service uses Kafka, then it is given all three brokers', () => {
    expect(envOf('txn-api-1').KAFKA_BROKERS).toBe(ports.kafka.map((port) => `127.0.0.1:${port}`).join(','));
    expect(envOf('fraud-scorer-2').KAFKA_BROKERS).toBe(envOf('txn-api-1').KAFKA_BROKERS);
  });

  it('when a service creates topics, then with 3 replicas and a min ISR of 2, as the servers create theirs', () => {
    for (const unit of units.filter((u) => 'KAFKA_REPLICATION_FACTOR' in u.spec.env)) {
      const env = unit.env(1);
      expect([unit.name, env.KAFKA_REPLICATION_FACTOR, env.KAFKA_MIN_INSYNC_REPLICAS]).toEqual([
        unit.name,
        '3',
        '2',
      ]);
    }
    expect(units.filter((u) => 'KAFKA_REPLICATION_FACTOR' in u.spec.env).map((u) => u.spec.name)).toEqual(
      expect.arrayContaining(['txn-api', 'feature-engine', 'fraud-scorer', 'fraud-monitor']),
    );
  });

  it('when rec-api calls its stages, then it is given both instances of each', () => {
    const env = envOf('rec-api-2');
    for (const [name, variable] of [
      ['candidate-gen', 'CANDIDATE_GEN_URL'],
      ['ranker', 'RANKER_URL'],
      ['rules', 'RULES_URL'],
    ] as const) {
      const port = serviceByName(name).port + OFFSET;
      expect(env[variable]).toBe(`http://127.0.0.1:${port + 100},http://127.0.0.1:${port + 200}`);
    }
  });

  it('when the console names one address per service, then a public API is its balancer and any other its first instance', () => {
    const env = envOf('console-1');
    expect(env.REC_API_URL).toBe(infra.ha.apis['rec-api']);
    expect(env.TXN_API_URL).toBe(infra.ha.apis['txn-api']);
    expect(env.RANKER_URL).toBe(`http://127.0.0.1:${serviceByName('ranker').port + 100 + OFFSET}`);
  });

  it('when an instance has a stream, then its INSTANCE_ID (its transactional id) is its own', () => {
    expect([envOf('fraud-scorer-1').INSTANCE_ID, envOf('fraud-scorer-2').INSTANCE_ID]).toEqual(['1', '2']);
  });

  it('when haServiceEnv is asked without ha servers, then it refuses rather than giving a single Redis', () => {
    expect(() =>
      haServiceEnv(
        serviceByName('txn-api'),
        {},
        { ...infra, ha: undefined },
        { ...options, servingClockAnchorMs: 1 },
      ),
    ).toThrow(/ha profile/);
  });
});

describe('the default profile’s services', () => {
  it('when started, then one process per service on its manifest port, with one URL per stage', () => {
    const stack = stackUnits(
      startOrder(SERVICES),
      { redisUrl: 'redis://127.0.0.1:6379', kafkaBrokers: ['127.0.0.1:9092'] },
      options,
    );
    expect(stack.map((u) => [u.name, u.port])).toEqual(startOrder(SERVICES).map((s) => [s.name, s.port]));
    const recApi = stack.find((u) => u.name === 'rec-api')!.env(1);
    expect(recApi.RANKER_URL).toBe('http://127.0.0.1:8083');
    expect(recApi.REDIS_URL).toBe('redis://127.0.0.1:6379');
    const txnApi = stack.find((u) => u.name === 'txn-api')!.env(1);
    expect([txnApi.KAFKA_REPLICATION_FACTOR, txnApi.KAFKA_MIN_INSYNC_REPLICAS]).toEqual(['1', '1']);
  });
});
