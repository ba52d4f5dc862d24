// The checkpoint replica's thread: applies the batches the stream committed
// to its own feature engine and writes the checkpoints to Redis, so that
// serialising the state never stalls the stream's thread.
import { parentPort, workerData } from 'node:worker_threads';
import { FraudFeatureEngine } from '@mlsys/fraud-core';
import { closeRedis, connectRedis, createRedis } from '@mlsys/redis';
import { CheckpointReplica } from '../domain/checkpoint-replica.js';
import type { CommittedBatch } from '../domain/ports.js';
import { RedisFeatureStateStore } from './redis-state-store.js';
import type { ToReplica, ToStream, WorkerSettings } from './worker-messages.js';

const settings = workerData as WorkerSettings;
const port = parentPort!;
const post = (message: ToStream) => port.postMessage(message);

const redis = createRedis({ url: settings.redisUrl, commandTimeoutMs: 30_000 });
const terminals = new Map(settings.terminals);
const replica = new CheckpointReplica(
  new RedisFeatureStateStore(redis, settings.namespace),
  () => new FraudFeatureEngine({ terminals }),
  settings.intervalMs,
  {
    checkpointed: (entities, ms) => post({ type: 'checkpointed', entities, ms }),
    checkpointFailed: (error) => post({ type: 'checkpoint-failed', message: error.message }),
  },
);
const connected = connectRedis(redis, settings.redisUrl);

// One message at a time, in order: the replica must apply batches as the stream committed them.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToReplica) => {
  queue = queue.then(() => handle(message));
});

async function handle(message: ToReplica): Promise<void> {
  try {
    await connected;
    if (message.type === 'apply') {
      await replica.apply(message.batch as CommittedBatch);
      return;
    }
    if (message.type === 'restore') await replica.restore();
    else {
      await replica.checkpoint();
      await closeRedis(redis);
    }
    post({ type: 'done', request: message.request });
  } catch (error) {
    if (message.type === 'apply') post({ type: 'checkpoint-failed', message: (error as Error).message });
    else post({ type: 'failed', request: message.request, message: (error as Error).message });
  }
}
