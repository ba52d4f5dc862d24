// Both designs' services and the console, each in its own process from its sources, on the test
// Kafka (topics and groups of their own) and on a Redis of their own, so that the console's
// "pause Redis" fault stalls this stack only, never the other packages' tests sharing the test Redis.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka, ensureTopics } from '@mlsys/kafka';
import {
  freePort,
  ServiceProcess,
  type TestInfra,
  testArtifactsDir,
  uniqueName,
  waitUntil,
} from '@mlsys/testkit';

export const TOKEN = uniqueName('console-token').replace(/[^A-Za-z0-9-]/g, '');

/** A redis-server of the test's own on a free port, without persistence. */
class OwnRedis {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'console-redis-'));
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
    await waitUntil(() => redisAnswers(this.port), {
      timeoutMs: 20_000,
      what: `redis-server on ${this.port}`,
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      resolve(data.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
  });
}

export interface ConsoleStack {
  console: ServiceProcess;
  services: Map<string, ServiceProcess>;
  stop(): Promise<void>;
}

/**
 * Starts the nine services and the console. Stage deadlines are generous: a
 * busy test machine must not make the pipeline fall back on its own, so that
 * a fallback the test sees is the fault it injected.
 */
export async function startConsoleStack(infra: TestInfra): Promise<ConsoleStack> {
  const redis = new OwnRedis(await freePort());
  await redis.start();
  const services = new Map<string, ServiceProcess>();
  // The load runs' reports go with the test's other temporary files, not into the checkout's .cache.
  const loadReports = mkdtempSync(join(tmpdir(), 'console-load-runs-'));
  const stop = async () => {
    await Promise.all([...services.values()].map((s) => s.stop()));
    await redis.stop();
    rmSync(loadReports, { recursive: true, force: true });
  };
  try {
    const recs = testArtifactsDir('recs');
    const fraud = testArtifactsDir('fraud');
    const kafka = createKafka({ clientId: 'console-test', brokers: infra.kafkaBrokers });
    const topics = {
      transactions: uniqueName('transactions'),
      chargebacks: uniqueName('chargebacks'),
      enriched: uniqueName('enriched'),
      decisions: uniqueName('decisions'),
      dlq: uniqueName('dlq'),
    };
    await ensureTopics(kafka, [
      { name: topics.transactions, partitions: 6 },
      { name: topics.chargebacks, partitions: 6 },
      { name: topics.enriched, partitions: 6 },
      { name: topics.decisions, partitions: 6 },
      { name: topics.dlq, partitions: 1 },
    ]);
    const groups = {
      engine: uniqueName('feature-engine'),
      scorer: uniqueName('fraud-scorer'),
      monitor: uniqueName('fraud-monitor'),
      decisions: uniqueName('txn-api-decisions'),
    };
    const kafkaEnv = { KAFKA_BROKERS: infra.kafkaBrokers.join(','), KAFKA_SESSION_TIMEOUT_MS: '6000' };
    const start = async (name: string, env: Record<string, string>) => {
      const service = await ServiceProcess.start(name, env);
      services.set(name, service);
      return service;
    };

    const [rules, candidates, ranker] = await Promise.all([
      start('rules', {}),
      start('candidate-gen', { ARTIFACTS_DIR: recs }),
      start('ranker', { ARTIFACTS_DIR: recs }),
      start('feature-store', { ARTIFACTS_DIR: recs, REDIS_URL: redis.url }),
    ]);
    const engine = await start('feature-engine', {
      ...kafkaEnv,
      REDIS_URL: redis.url,
      ARTIFACTS_DIR: fraud,
      CHECKPOINT_INTERVAL_MS: '5000',
      TRANSACTIONS_TOPIC: topics.transactions,
      CHARGEBACKS_TOPIC: topics.chargebacks,
      ENRICHED_TOPIC: topics.enriched,
      DLQ_TOPIC: topics.dlq,
      DECISIONS_TOPIC: topics.decisions,
      CONSUMER_GROUP: groups.engine,
      INSTANCE_ID: uniqueName('instance'),
    });
    await Promise.all([
      start('rec-api', {
        ARTIFACTS_DIR: recs,
        REDIS_URL: redis.url,
        CANDIDATE_GEN_URL: candidates!.url,
        RANKER_URL: ranker!.url,
        RULES_URL: rules!.url,
        FEATURES_DEADLINE_MS: '300',
        CANDIDATES_DEADLINE_MS: '2000',
        RANKER_DEADLINE_MS: '2000',
        RULES_DEADLINE_MS: '2000',
      }),
      start('fraud-scorer', {
        ...kafkaEnv,
        ARTIFACTS_DIR: fraud,
        ENRICHED_TOPIC: topics.enriched,
        DECISIONS_TOPIC: topics.decisions,
        DLQ_TOPIC: topics.dlq,
        CONSUMER_GROUP: groups.scorer,
        INSTANCE_ID: uniqueName('instance'),
      }),
      start('fraud-monitor', {
        ...kafkaEnv,
        REDIS_URL: redis.url,
        ARTIFACTS_DIR: fraud,
        LABELS_NAMESPACE: uniqueName('fm'),
        DECISIONS_TOPIC: topics.decisions,
        CHARGEBACKS_TOPIC: topics.chargebacks,
        ENRICHED_TOPIC: topics.enriched,
        DLQ_TOPIC: topics.dlq,
        CONSUMER_GROUP: groups.monitor,
      }),
    ]);
    await waitUntil(
      async () =>
        ((await (await fetch(`${engine.url}/v1/status`)).json()) as { ownedPartitions: number[] })
          .ownedPartitions.length === 6,
      { timeoutMs: 60_000, what: 'the feature engine to own every partition' },
    );
    await start('txn-api', {
      ...kafkaEnv,
      REDIS_URL: redis.url,
      TRANSACTIONS_TOPIC: topics.transactions,
      DECISIONS_TOPIC: topics.decisions,
      DLQ_TOPIC: topics.dlq,
      FEATURE_ENGINE_GROUP: groups.engine,
      DECISION_GROUP: groups.decisions,
      SYNC_DECISION_DEADLINE_MS: '2000',
    });
    const url = (name: string) => services.get(name)!.url;
    const consoleProcess = await ServiceProcess.start('console', {
      ...kafkaEnv,
      REDIS_URL: redis.url,
      RECS_ARTIFACTS_DIR: recs,
      FRAUD_ARTIFACTS_DIR: fraud,
      REC_API_URL: url('rec-api'),
      FEATURE_STORE_URL: url('feature-store'),
      CANDIDATE_GEN_URL: url('candidate-gen'),
      RANKER_URL: url('ranker'),
      RULES_URL: url('rules'),
      TXN_API_URL: url('txn-api'),
      FEATURE_ENGINE_URL: url('feature-engine'),
      FRAUD_SCORER_URL: url('fraud-scorer'),
      FRAUD_MONITOR_URL: url('fraud-monitor'),
      ENRICHED_TOPIC: topics.enriched,
      CHARGEBACKS_TOPIC: topics.chargebacks,
      CONSOLE_TOKEN: TOKEN,
      CONSUMER_GROUP: uniqueName('console'),
      LAG_GROUPS: Object.values(groups).join(','),
      SCRAPE_INTERVAL_MS: '500',
      WINDOW_SECONDS: '8',
      LOAD_REPORTS_DIR: loadReports,
    });
    services.set('console', consoleProcess);
    return { console: consoleProcess, services, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
