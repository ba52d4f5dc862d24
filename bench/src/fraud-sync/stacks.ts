// The processes each mode of the fraud-sync bench measures, started under a run id of their
// own (topics, consumer groups, state namespace, Redis keys), so a running `npm start` stack on
// the same Kafka and Redis is never touched; `stop` deletes what the run created.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Topics } from '@mlsys/contracts';
import { ensureTopics, type Kafka } from '@mlsys/kafka';
import { freePort } from '@mlsys/testkit';
import { repoRoot } from '../paths.js';
import { cpuSeconds } from '../stack/cpu.js';
import { createRunTopics, deleteRun } from '../stack/infra.js';
import { type NodeLaunch, type Stage, startServer, startService } from '../stack/services.js';

export interface StackSettings {
  brokers: string[];
  redisUrl: string;
  artifactsDir: string;
  /** How the measured processes are launched (profiling, node flags). */
  launch: NodeLaunch;
}

export interface MeasuredStack {
  /** The run id every topic, group and key of this stack starts with. */
  run: string;
  /** Where POST /v1/transactions goes. */
  url: string;
  /** CPU seconds of each process so far. */
  cpuSeconds(): Record<string, number>;
  /** Stops every process (the HTTP edge first) and deletes the run's topics and keys. */
  stop(): Promise<void>;
}

export interface SyncStack extends MeasuredStack {
  /** Restarts the feature engine alone (same port, group and state) with another sync batch window. */
  restartFeatureEngine(batchWindowMs: number): Promise<void>;
}

const runId = (mode: string) => `bench-${mode}-${randomUUID().slice(0, 8)}`;

/** feature-engine, fraud-scorer and txn-api, wired to the run's topics and groups. */
export async function startSyncStack(
  kafka: Kafka,
  settings: StackSettings,
  batchWindowMs: number,
): Promise<SyncStack> {
  const run = runId('sync');
  const topics = await createRunTopics(kafka, run);
  const common = {
    KAFKA_BROKERS: settings.brokers.join(','),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DLQ_TOPIC: topics.dlq,
  };
  const featureGroup = `${run}.feature-engine`;
  // Known before the start: the engine advertises it to the API routing to partition owners.
  const featurePort = await freePort();
  const featureEngine = (windowMs: number) =>
    startService(
      settings.launch,
      'feature-engine',
      {
        ...common,
        REDIS_URL: settings.redisUrl,
        ARTIFACTS_DIR: settings.artifactsDir,
        TRANSACTIONS_TOPIC: topics.transactions,
        CHARGEBACKS_TOPIC: topics.chargebacks,
        ENRICHED_TOPIC: topics.enriched,
        DECISIONS_TOPIC: topics.decisions,
        CONSUMER_GROUP: featureGroup,
        INSTANCE_ID: run,
        STATE_NAMESPACE: run,
        ADVERTISED_URL: `http://127.0.0.1:${featurePort}`,
        SYNC_BATCH_WINDOW_MS: String(windowMs),
      },
      featurePort,
    );

  const stages: Stage[] = [];
  const stopAll = async () => {
    // The edge first, so nothing new arrives while the pipeline behind it stops.
    const edge = stages.find((s) => s.name === 'txn-api');
    await edge?.stop();
    await Promise.all(stages.filter((s) => s !== edge).map((s) => s.stop()));
    await deleteRun(kafka, settings.redisUrl, Object.values(topics), `*${run}*`);
  };
  try {
    const started = await Promise.allSettled([
      featureEngine(batchWindowMs),
      startService(settings.launch, 'fraud-scorer', {
        ...common,
        ARTIFACTS_DIR: settings.artifactsDir,
        ENRICHED_TOPIC: topics.enriched,
        DECISIONS_TOPIC: topics.decisions,
        CONSUMER_GROUP: `${run}.fraud-scorer`,
        INSTANCE_ID: run,
      }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') stages.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    // After the feature engine: the API routes to whoever owns the card's partition in its group.
    stages.push(
      await startService(settings.launch, 'txn-api', {
        ...common,
        REDIS_URL: settings.redisUrl,
        TRANSACTIONS_TOPIC: topics.transactions,
        DECISIONS_TOPIC: topics.decisions,
        FEATURE_ENGINE_GROUP: featureGroup,
        DECISION_GROUP: `${run}.txn-api.decisions`,
      }),
    );
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    run,
    url: stages.find((s) => s.name === 'txn-api')!.url!,
    cpuSeconds: () => cpuOf(stages),
    stop: stopAll,
    async restartFeatureEngine(windowMs) {
      const at = stages.findIndex((s) => s.name === 'feature-engine');
      await stages[at]!.stop();
      stages[at] = await featureEngine(windowMs);
    },
  };
}

/** The floor server on the run's own transactions topic. */
export async function startFloorStack(kafka: Kafka, settings: StackSettings): Promise<MeasuredStack> {
  const run = runId('floor');
  const topic = `${run}.transactions`;
  await ensureTopics(kafka, [{ name: topic, partitions: Topics.transactions.partitions }]);
  const stages: Stage[] = [];
  const stopAll = async () => {
    await Promise.all(stages.map((s) => s.stop()));
    await deleteRun(kafka, settings.redisUrl, [topic], `*${run}*`);
  };
  try {
    stages.push(
      await startServer(
        settings.launch,
        'floor',
        join(repoRoot, 'bench', 'src', 'fraud-sync', 'floor', 'main.ts'),
        {
          KAFKA_BROKERS: settings.brokers.join(','),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          TRANSACTIONS_TOPIC: topic,
        },
      ),
    );
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { run, url: stages[0]!.url!, cpuSeconds: () => cpuOf(stages), stop: stopAll };
}

function cpuOf(stages: readonly Stage[]): Record<string, number> {
  return Object.fromEntries(stages.map((s) => [s.name, cpuSeconds(s.child)]));
}
