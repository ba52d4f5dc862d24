// Brings the `ha` profile's servers up as `npm run infra -- up --profile ha` does, in a folder
// of its own and with every port shifted (HA_OFFSET), so that it runs beside the test servers,
// a running `ha` profile and other checkouts' servers; checks what the profile promises (three
// brokers, topics replicated 3 times with an ISR of 2, Sentinels that name the primary, a
// balancer that spreads over ready instances), then brings it down.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topics } from '@mlsys/contracts';
import { createKafka } from '@mlsys/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haPorts } from '../src/ha-servers.js';
import { SENTINEL_PRIMARY_NAME } from '../src/manifest.js';
import { portOpen, waitFor } from '../src/ports.js';
import { replicaInSync, sentinelPrimary } from '../src/redis-sentinel.js';
import { bringUpInfra, type RunningInfra, stopInfra } from '../src/servers.js';

/**
 * Shifts the profile to 16380-16384 (Redis, Sentinels), 19094-19099 (Kafka), 18080/18090
 * (balancer), 18180-18290 (instances), 18404 (stats): clear of the test servers (16379,
 * 19092/19093), and below Linux's ephemeral range (32768 up), where other tests' random ports
 * and outgoing connections would take them (a run failed on 38280 in use).
 */
const HA_OFFSET = 10_000;
const ports = haPorts(HA_OFFSET);
const recApi = ports.apis.find((api) => api.name === 'rec-api')!;

/** Stand-ins for the two rec-api instances: each says who it is, and answers /readyz as told. */
class FakeInstance {
  ready = true;
  private server: Server;
  constructor(
    readonly name: string,
    readonly port: number,
  ) {
    this.server = createServer((req, res) => {
      if (req.url === recApi.readyPath) res.writeHead(this.ready ? 200 : 503).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end(this.name);
    });
  }
  listen = () =>
    new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', resolve);
    });
  close = () => new Promise<void>((resolve) => this.server.close(() => resolve()));
}

const instances = recApi.instancePorts.map((port, i) => new FakeInstance(`rec-api-${i + 1}`, port));
const stateDir = mkdtempSync(join(tmpdir(), 'mlsys-ha-'));
let infra: RunningInfra;

beforeAll(async () => {
  await Promise.all(instances.map((instance) => instance.listen()));
  infra = await bringUpInfra('ha', { keepAfterExit: false, reuse: false, portOffset: HA_OFFSET, stateDir });
  // Three JVMs, a Redis pair and three Sentinels starting while the rest of the suite runs on two cores.
}, 240_000);

afterAll(async () => {
  // Brought down by the last test; here only when a test before it failed.
  if (infra?.started.some((server) => server.running)) await stopInfra(infra);
  await Promise.all(instances.map((instance) => instance.close()));
  rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

describe('the ha profile', () => {
  it('when up, then Kafka is a cluster of 3 brokers whose topics have 3 replicas in sync and need 2', async () => {
    const admin = createKafka({ clientId: 'ha-test', brokers: infra.kafkaBrokers, silent: true }).admin();
    await admin.connect();
    try {
      expect((await admin.describeCluster()).brokers.map((b) => b.port).sort()).toEqual(ports.kafka);

      const { topics } = await admin.fetchTopicMetadata({ topics: [Topics.transactions.name] });
      const partitions = topics[0]!.partitions;
      expect(partitions).toHaveLength(Topics.transactions.partitions);
      for (const partition of partitions) {
        expect(partition.replicas.sort()).toEqual([1, 2, 3]);
        expect(partition.isr).toHaveLength(3);
      }
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        // 2: kafkajs' ConfigResourceTypes.TOPIC (kafkajs is not a dependency of infra).
        resources: [{ type: 2, name: Topics.transactions.name, configNames: ['min.insync.replicas'] }],
      });
      expect(configs.resources[0]!.configEntries.map((e) => [e.configName, e.configValue])).toEqual([
        ['min.insync.replicas', '2'],
      ]);

      // The group coordinator's first use creates the offsets topic: replicated like the rest.
      let offsetsReplicas: number[] = [];
      await waitFor(
        async () => {
          await admin.fetchOffsets({ groupId: 'ha-test', topics: [Topics.transactions.name] });
          const offsets = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
          offsetsReplicas = offsets.topics[0]!.partitions.map((p) => p.replicas.length);
          return true;
        },
        { timeoutMs: 20_000, intervalMs: 250 },
        () => 'the group coordinator did not answer within 20 s',
      );
      expect(offsetsReplicas).toEqual([3]);
    } finally {
      await admin.disconnect();
    }
  });

  it('when up, then every Sentinel names the primary, and the replica follows it', async () => {
    const named = await Promise.all(
      ports.sentinels.map((port) => sentinelPrimary(port, SENTINEL_PRIMARY_NAME)),
    );
    expect(named).toEqual(ports.sentinels.map(() => `127.0.0.1:${ports.redis}`));
    expect(infra.ha?.sentinels).toEqual(ports.sentinels.map((port) => `127.0.0.1:${port}`));
    expect(await replicaInSync(ports.redisReplica)).toBe(true);
  });

  it('when both instances are ready, then HAProxy answers from both; when one is not, then only from the other', async () => {
    const balancer = infra.ha!.apis['rec-api']!;
    expect(balancer).toBe(`http://127.0.0.1:${recApi.port}`);
    expect((await fetch(`${infra.ha!.balancerUrl}/healthz`)).status).toBe(200);
    const answer = async () => (await fetch(`${balancer}/v1/who`)).text();

    // Instances are checked every second from the start: wait until both are in rotation.
    const seen = new Set<string>();
    await waitFor(
      async () => {
        seen.add(await answer());
        return seen.size === 2;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
      () => `HAProxy answered only from ${[...seen].join(', ')}`,
    );

    instances[1]!.ready = false;
    let fromFirst = 0;
    await waitFor(
      async () => {
        fromFirst = (await answer()) === 'rec-api-1' ? fromFirst + 1 : 0;
        return fromFirst >= 6;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
      () => 'HAProxy kept sending requests to the instance that is not ready',
    );
  });

  it('when brought down, then every process it started has stopped and its ports are closed', async () => {
    await stopInfra(infra);
    expect(infra.started.filter((server) => server.running).map((server) => server.spec.name)).toEqual([]);
    const open = await Promise.all(
      [...ports.kafka, ports.redis, ports.redisReplica, ...ports.sentinels, ports.balancerStats].map(
        async (port) => ((await portOpen('127.0.0.1', port)) ? [port] : []),
      ),
    );
    expect(open.flat()).toEqual([]);
  }, 60_000);
});
