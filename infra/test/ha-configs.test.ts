import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haPorts } from '../src/ha-servers.js';
import { HAPROXY, haproxyConfig } from '../src/haproxy.js';
import { type KafkaServerOptions, serverProperties } from '../src/kafka-server.js';
import { HA_REPLICATION, INFRA_PORTS, SENTINEL_PRIMARY_NAME, SENTINEL_QUORUM } from '../src/manifest.js';
import { bulkStrings, sentinelConf } from '../src/redis-sentinel.js';
import { ensureAptProgram } from '../src/system-packages.js';

const properties = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

const ports = haPorts();

function clusterNode(i: number): KafkaServerOptions {
  return {
    port: ports.kafka[i]!,
    controllerPort: ports.kafkaControllers[i]!,
    dir: `/data/kafka-${i + 1}`,
    logFile: '/logs/kafka.log',
    pidFile: '/pids/kafka.pid',
    cluster: {
      nodeId: i + 1,
      voters: ports.kafkaControllers.map((controllerPort, j) => ({ nodeId: j + 1, controllerPort })),
      ...HA_REPLICATION,
      clusterId: 'cluster',
    },
  };
}

describe('server.properties', () => {
  it('when a single node is configured (stack and test profiles), then it is the one-node, one-replica broker it was', () => {
    const single = serverProperties({
      port: INFRA_PORTS.test.kafka,
      controllerPort: INFRA_PORTS.test.kafkaController,
      dir: '/data/kafka',
      logFile: '/logs/kafka.log',
      pidFile: '/pids/kafka.pid',
    });
    expect(single).toBe(
      [
        'process.roles=broker,controller',
        'node.id=1',
        'controller.quorum.voters=1@127.0.0.1:19093',
        'listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093',
        'advertised.listeners=PLAINTEXT://127.0.0.1:19092',
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        'log.dirs=/data/kafka/data',
        'num.partitions=1',
        'auto.create.topics.enable=false',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=1',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'transaction.state.log.num.partitions=1',
        'share.coordinator.state.topic.replication.factor=1',
        'group.initial.rebalance.delay.ms=0',
        'log.retention.hours=24',
        'log.segment.bytes=104857600',
        '',
      ].join('\n'),
    );
  });

  it('when the ha cluster is configured, then each of the 3 nodes has its own id, ports and data, and all name the same 3 voters', () => {
    const nodes = [0, 1, 2].map((i) => properties(serverProperties(clusterNode(i))));

    expect(nodes.map((p) => p['node.id'])).toEqual(['1', '2', '3']);
    expect(new Set(nodes.map((p) => p['controller.quorum.voters']))).toEqual(
      new Set(['1@127.0.0.1:9097,2@127.0.0.1:9098,3@127.0.0.1:9099']),
    );
    expect(nodes.map((p) => p.listeners)).toEqual(
      [0, 1, 2].map((i) => `PLAINTEXT://127.0.0.1:${9094 + i},CONTROLLER://127.0.0.1:${9097 + i}`),
    );
    expect(nodes.map((p) => p['advertised.listeners'])).toEqual(
      [0, 1, 2].map((i) => `PLAINTEXT://127.0.0.1:${9094 + i}`),
    );
    expect(new Set(nodes.map((p) => p['log.dirs'])).size).toBe(3);
    for (const p of nodes) expect(p['process.roles']).toBe('broker,controller');
  });

  it('when the ha cluster is configured, then every topic, internal ones included, has 3 replicas and needs 2 in sync', () => {
    for (const i of [0, 1, 2]) {
      const p = properties(serverProperties(clusterNode(i)));
      expect(p).toMatchObject({
        'default.replication.factor': '3',
        'min.insync.replicas': '2',
        'unclean.leader.election.enable': 'false',
        'offsets.topic.replication.factor': '3',
        'transaction.state.log.replication.factor': '3',
        'transaction.state.log.min.isr': '2',
        'share.coordinator.state.topic.replication.factor': '3',
        'share.coordinator.state.topic.min.isr': '2',
        'auto.create.topics.enable': 'false',
      });
    }
  });
});

describe('sentinel.conf', () => {
  const conf = sentinelConf({
    port: ports.sentinels[0]!,
    dir: '/data/sentinel-1',
    primaryName: SENTINEL_PRIMARY_NAME,
    primaryPort: ports.redis,
    quorum: SENTINEL_QUORUM,
  });

  it('when generated, then the Sentinel listens on loopback and watches the primary with a quorum of 2 of 3', () => {
    const lines = conf.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'port 6382',
        'bind 127.0.0.1',
        'sentinel monitor mlsys 127.0.0.1 6380 2',
        'dir /data/sentinel-1',
      ]),
    );
  });

  it('when generated, then a silent primary is failed over after seconds, not Sentinel’s default 30 s', () => {
    const downAfter = Number(/sentinel down-after-milliseconds mlsys (\d+)/.exec(conf)?.[1]);
    expect(downAfter).toBeGreaterThan(0);
    expect(downAfter).toBeLessThanOrEqual(5000);
  });

  it('when Sentinel answers with the primary’s address, then both parts are read', () => {
    expect(bulkStrings('*2\r\n$9\r\n127.0.0.1\r\n$4\r\n6380\r\n')).toEqual(['127.0.0.1', '6380']);
    expect(bulkStrings('*-1\r\n')).toEqual([]);
  });
});

describe('haproxy.cfg', () => {
  const cfg = haproxyConfig({ apis: ports.apis, statsPort: ports.balancerStats });

  it('when generated, then each public API has a frontend on its manifest port over 2 instances checked on /readyz', () => {
    for (const [name, port, instances] of [
      ['rec-api', 8080, [8180, 8280]],
      ['txn-api', 8090, [8190, 8290]],
    ] as const) {
      const frontend = cfg.slice(cfg.indexOf(`frontend ${name}`));
      expect(frontend).toContain(`bind 127.0.0.1:${port}\n  default_backend ${name}`);
      const backend = cfg.slice(cfg.indexOf(`\nbackend ${name}\n`) + 1).split('\n\n')[0]!;
      expect(backend).toContain('option httpchk GET /readyz');
      expect(backend).toContain('http-check expect status 200');
      expect(backend.match(/^ {2}server .*$/gm)).toEqual(
        instances.map((p, i) => `  server ${name}-${i + 1} 127.0.0.1:${p} check`),
      );
    }
  });

  it('when generated, then HAProxy listens on loopback only', () => {
    const binds = cfg.match(/^ {2}bind .*$/gm) ?? [];
    expect(binds).toHaveLength(3);
    expect(binds.filter((bind) => !bind.startsWith('  bind 127.0.0.1:'))).toEqual([]);
  });

  // Installed from apt as the ha profile installs it: a missing haproxy fails here, naming itself.
  it('when checked by haproxy itself, then the config is valid', async () => {
    const haproxy = await ensureAptProgram(HAPROXY);
    const dir = mkdtempSync(join(tmpdir(), 'haproxy-cfg-'));
    try {
      writeFileSync(join(dir, 'haproxy.cfg'), cfg);
      const check = spawnSync(haproxy, ['-c', '-f', join(dir, 'haproxy.cfg')], { encoding: 'utf8' });
      expect({ status: check.status, output: check.stdout + check.stderr }).toMatchObject({ status: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
