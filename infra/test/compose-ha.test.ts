import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRedisAddress } from '@mlsys/config';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { servicesInCheckout } from '../src/available.js';
import { renderHaCompose } from '../src/compose-ha.js';
import { HAPROXY } from '../src/haproxy.js';
import { PUBLIC_APIS, SENTINEL_PRIMARY_NAME, startOrder } from '../src/manifest.js';
import { haInstances } from '../src/manifest-ha.js';
import { ROOT } from '../src/paths.js';
import { ensureAptProgram } from '../src/system-packages.js';

interface ComposeService {
  image?: string;
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  healthcheck?: unknown;
}

const services = startOrder(servicesInCheckout());
const rendered = renderHaCompose(services);
const doc = parse(rendered) as {
  services: Record<string, ComposeService>;
  configs: Record<string, { content: string }>;
};

describe('docker-compose.ha.yml', () => {
  it('when compared with what the manifest renders, then it is identical (regenerate: npm run infra -- compose)', () => {
    expect(readFileSync(join(ROOT, 'docker-compose.ha.yml'), 'utf8')).toBe(rendered);
  });

  it('when rendered, then every instance the ha profile runs is a container on its instance port, with its own INSTANCE_ID', () => {
    for (const spec of services) {
      for (const instance of haInstances(spec)) {
        const entry = doc.services[instance.name]!;
        expect(entry.ports).toEqual([`127.0.0.1:${instance.port}:${instance.port}`]);
        expect(entry.environment!.PORT).toBe(String(instance.port));
        expect(entry.environment!.INSTANCE_ID).toBe(instance.env.INSTANCE_ID);
        expect(JSON.stringify(entry.healthcheck)).toContain(`:${instance.port}${spec.health.ready}`);
        expect(entry.restart).toBe('on-failure');
      }
    }
    expect(Object.keys(doc.services)).not.toContain('feature-engine-2');
    if (doc.services['feature-engine-1'])
      expect(doc.services['feature-engine-1'].environment!.ADVERTISED_URL).toBe(
        'http://feature-engine-1:8191',
      );
  });

  it('when a service uses Redis or Kafka, then through the three Sentinels and the three brokers, with topics replicated 3 times', () => {
    for (const [name, entry] of Object.entries(doc.services)) {
      const env = entry.environment ?? {};
      if ('REDIS_URL' in env) {
        expect(parseRedisAddress(env.REDIS_URL!), name).toMatchObject({
          kind: 'sentinel',
          name: SENTINEL_PRIMARY_NAME,
          sentinels: [1, 2, 3].map((n) => ({ host: `redis-sentinel-${n}`, port: 26379 })),
        });
      }
      if ('KAFKA_REPLICATION_FACTOR' in env) {
        expect(env.KAFKA_BROKERS, name).toBe('kafka-1:29092,kafka-2:29092,kafka-3:29092');
        expect([env.KAFKA_REPLICATION_FACTOR, env.KAFKA_MIN_INSYNC_REPLICAS], name).toEqual(['3', '2']);
      }
    }
  });

  it('when the Kafka nodes start, then they form one KRaft quorum of three with replication 3 and min ISR 2', () => {
    const nodes = [1, 2, 3].map((n) => doc.services[`kafka-${n}`]!.environment!);
    expect(new Set(nodes.map((env) => env.CLUSTER_ID)).size).toBe(1);
    expect(nodes.map((env) => env.CLUSTER_ID!.length)).toEqual([22, 22, 22]);
    for (const env of nodes) {
      expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe('1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093');
      expect(env.KAFKA_DEFAULT_REPLICATION_FACTOR).toBe('3');
      expect(env.KAFKA_MIN_INSYNC_REPLICAS).toBe('2');
      expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('3');
      expect(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).toBe('2');
    }
    expect(nodes.map((env) => env.KAFKA_NODE_ID)).toEqual(['1', '2', '3']);
  });

  it('when rec-api calls its stages, then over both instances of each', () => {
    const env = doc.services['rec-api-1']?.environment;
    if (!env) return;
    expect(env.RANKER_URL).toBe('http://ranker-1:8183,http://ranker-2:8283');
    expect(doc.services['console-1']?.environment?.REC_API_URL).toBe('http://haproxy:8080');
  });

  it('when a service depends on another, then on every instance of it being healthy', () => {
    const deps = doc.services['rec-api-2']?.depends_on;
    if (!deps) return;
    expect(Object.keys(deps)).toEqual(
      expect.arrayContaining(['candidate-gen-1', 'candidate-gen-2', 'redis-sentinel-3']),
    );
  });

  it('when only one instance may do its start-up work at a time (the feature store), then the second waits for the first', () => {
    const second = doc.services['feature-store-2'];
    if (!second) return;
    expect(second.depends_on?.['feature-store-1']).toEqual({ condition: 'service_healthy' });
    expect(doc.services['ranker-2']?.depends_on?.['ranker-1']).toBeUndefined();
  });

  it('when the balancer starts, then it listens on each public API’s usual port, over both instances by container name', () => {
    const cfg = doc.configs.haproxy!.content;
    for (const name of PUBLIC_APIS) {
      const instances = haInstances(services.find((s) => s.name === name)!);
      for (const instance of instances)
        expect(cfg).toContain(`server ${instance.name} ${instance.name}:${instance.port} check`);
    }
    expect(doc.services.haproxy!.ports).toEqual([
      '127.0.0.1:8080:8080',
      '127.0.0.1:8090:8090',
      '127.0.0.1:8404:8404',
    ]);
    expect(doc.configs.sentinel!.content).toContain('sentinel monitor mlsys redis 6379 2');
  });

  // The container names do not resolve here: HAProxy must still accept the config (init-addr none).
  it('when checked by haproxy itself, then the compose balancer config is valid', async () => {
    const haproxy = await ensureAptProgram(HAPROXY);
    const dir = mkdtempSync(join(tmpdir(), 'haproxy-compose-'));
    try {
      writeFileSync(join(dir, 'haproxy.cfg'), doc.configs.haproxy!.content);
      const check = spawnSync(haproxy, ['-c', '-f', join(dir, 'haproxy.cfg')], { encoding: 'utf8' });
      expect({ status: check.status, output: check.stdout + check.stderr }).toMatchObject({ status: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
