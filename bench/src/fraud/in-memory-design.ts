// The state design the feature engine runs: state in memory, checkpointed to Redis, driven by
// the engine's own code without Kafka.
import type { Transaction } from '@mlsys/contracts';
import {
  CheckpointReplica,
  type EngineEvent,
  FeatureTask,
  InlineCheckpointer,
  RedisFeatureStateStore,
  WorkerCheckpointer,
} from '@mlsys/feature-engine/state';
import { FraudFeatureEngine, type loadFraudArtifacts } from '@mlsys/fraud-core';
import type { RedisClient } from '@mlsys/redis';

/** Payments per batch, as the stream hands them to the task. */
const BATCH = 500;

/** Where checkpoints are written: between batches on the stream's thread, or by a replica in a worker thread. */
export type Placement = 'same-thread' | 'replica-thread';

export interface InMemoryRun {
  /** For the worker thread's own Redis client. */
  redisUrl: string;
  namespace: string;
  terminals: ReturnType<typeof loadFraudArtifacts>['terminals'];
  payments: readonly Transaction[];
  /** 0: after every batch. */
  checkpointIntervalMs: number;
  placement: Placement;
}

/** Feeds the payments to a FeatureTask in batches, checkpointing as `placement` says; answers the payments done. */
export async function inMemoryWithCheckpoints(redis: RedisClient, run: InMemoryRun): Promise<number> {
  const { namespace, terminals, payments, checkpointIntervalMs } = run;
  const store = new RedisFeatureStateStore(redis, namespace);
  const newEngine = () => new FraudFeatureEngine({ terminals });
  const checkpointer =
    run.placement === 'same-thread'
      ? new InlineCheckpointer(new CheckpointReplica(store, newEngine, checkpointIntervalMs))
      : new WorkerCheckpointer({
          redisUrl: run.redisUrl,
          namespace,
          intervalMs: checkpointIntervalMs,
          terminals,
          events: {},
          onExit: (error) => {
            throw error;
          },
        });
  const task = new FeatureTask({ store, checkpointer, newEngine, enrichedTopic: 'unused' });
  await task.restore([]);
  for (let offset = 0; offset < payments.length; offset += BATCH) {
    const records = payments.slice(offset, offset + BATCH).map((transaction, i) => ({
      topic: 'transactions',
      partition: 0,
      offset: BigInt(offset + i),
      key: transaction.cardId,
      value: { kind: 'transaction', transaction } as EngineEvent,
      timestamp: transaction.eventTime,
      replay: false,
    }));
    task.process(records);
    await task.afterCommit();
    // The same-thread replica runs between batches, as it would between a stream's fetches.
    if (checkpointer instanceof InlineCheckpointer) await checkpointer.settled();
  }
  await task.close();
  return payments.length;
}
