// The processes one mode of the fraud stream bench measures, wired to the run's own topics:
// the pipeline's two services, or two pass-through hops in their place.
import { join } from 'node:path';
import type { StackSettings } from '../fraud-sync/stacks.js';
import { repoRoot } from '../paths.js';
import type { createRunTopics } from '../stack/infra.js';
import { type Stage, spawnNode, stageOf, startService } from '../stack/services.js';
import type { Delivery } from './passthrough/hop.js';

export type RunTopics = Awaited<ReturnType<typeof createRunTopics>>;

/** The servers, artifacts and launch the fraud-sync stacks take, and how often the feature state is checkpointed. */
export interface StageSettings extends StackSettings {
  checkpointMs: number;
}

/** feature-engine and fraud-scorer, as `npm start` runs them, on the run's topics, groups and state. */
export async function startPipeline(
  settings: StageSettings,
  run: string,
  topics: RunTopics,
): Promise<Stage[]> {
  const common = {
    KAFKA_BROKERS: settings.brokers.join(','),
    ARTIFACTS_DIR: settings.artifactsDir,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DLQ_TOPIC: topics.dlq,
    ENRICHED_TOPIC: topics.enriched,
    INSTANCE_ID: run,
  };
  return Promise.all([
    startService(settings.launch, 'feature-engine', {
      ...common,
      REDIS_URL: settings.redisUrl,
      STATE_NAMESPACE: run,
      CHECKPOINT_INTERVAL_MS: String(settings.checkpointMs),
      TRANSACTIONS_TOPIC: topics.transactions,
      CHARGEBACKS_TOPIC: topics.chargebacks,
      DECISIONS_TOPIC: topics.decisions,
      CONSUMER_GROUP: `${run}.feature-engine`,
    }),
    startService(settings.launch, 'fraud-scorer', {
      ...common,
      DECISIONS_TOPIC: topics.decisions,
      CONSUMER_GROUP: `${run}.fraud-scorer`,
    }),
  ]);
}

const PASSTHROUGH_WORKER = join(repoRoot, 'bench', 'src', 'fraud', 'passthrough', 'main.ts');

/** Two pass-through hops over the pipeline's two hops (transactions -> enriched -> decisions). */
export async function startPassthrough(
  settings: StageSettings,
  run: string,
  topics: RunTopics,
  delivery: Delivery,
): Promise<Stage[]> {
  const hop = (name: string, from: string, to: string) => {
    const child = spawnNode(
      [PASSTHROUGH_WORKER, delivery, settings.brokers.join(','), from, to, `${run}.${name}`],
      {},
      'pipe',
      settings.launch,
    );
    return new Promise<Stage>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`pass-through ${name} exited (code ${code})`)));
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve(stageOf(name, child));
      });
    });
  };
  return Promise.all([
    hop('passthrough-1', topics.transactions, topics.enriched),
    hop('passthrough-2', topics.enriched, topics.decisions),
  ]);
}
