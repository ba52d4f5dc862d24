import { Worker } from 'node:worker_threads';
import type { TerminalDirectory } from '@mlsys/fraud-core';
import type { CheckpointReplicaEvents } from '../domain/checkpoint-replica.js';
import type { Checkpointer, CommittedBatch } from '../domain/ports.js';
import type { ToReplica, ToStream, WorkerSettings } from './worker-messages.js';

export interface WorkerCheckpointerOptions {
  redisUrl: string;
  namespace: string;
  intervalMs: number;
  terminals: TerminalDirectory;
  events: CheckpointReplicaEvents;
  /** The worker died: checkpoints stopped, so the service must not go on as if they had not. */
  onExit(error: Error): void;
}

/**
 * The checkpoint replica in a worker thread. Each committed batch is posted
 * to it and the stream goes on; restore and close wait for its answer.
 */
export class WorkerCheckpointer implements Checkpointer {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextRequest = 0;
  private closing = false;

  constructor(private readonly options: WorkerCheckpointerOptions) {
    const settings: WorkerSettings = {
      redisUrl: options.redisUrl,
      namespace: options.namespace,
      intervalMs: options.intervalMs,
      terminals: [...options.terminals],
    };
    this.worker = startWorker(settings);
    this.worker.on('message', (message: ToStream) => this.receive(message));
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => {
      if (this.closing) return;
      const error = new Error(`the checkpoint worker exited (code ${code})`);
      this.failAll(error);
      options.onExit(error);
    });
  }

  restore(): Promise<void> {
    return this.request('restore');
  }

  committed(batch: CommittedBatch): void {
    this.worker.postMessage({ type: 'apply', batch } satisfies ToReplica);
  }

  async close(): Promise<void> {
    await this.request('close');
    this.closing = true;
    await this.worker.terminate();
  }

  private request(type: 'restore' | 'close'): Promise<void> {
    const request = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.waiting.set(request, { resolve, reject });
      this.worker.postMessage({ type, request } satisfies ToReplica);
    });
  }

  private receive(message: ToStream): void {
    if (message.type === 'checkpointed') this.options.events.checkpointed?.(message.entities, message.ms);
    else if (message.type === 'checkpoint-failed')
      this.options.events.checkpointFailed?.(new Error(message.message));
    else {
      const waiter = this.waiting.get(message.request);
      this.waiting.delete(message.request);
      if (message.type === 'done') waiter?.resolve();
      else waiter?.reject(new Error(message.message));
    }
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

/**
 * The worker runs the file next to this one: the built `.js` under node, or
 * the `.ts` source when the service itself runs from source under tsx
 * (tests, the benchmark). A worker does not inherit tsx's loader, so that
 * case registers it first.
 */
/**
 * The replica allocates for every payment it applies (and for every batch it is handed); with
 * V8's default young generation (16 MB semi-spaces) it spends a large share of its time in
 * scavenges. A larger one (~64 MB semi-spaces) measured the engine's apply 25-40 % faster.
 */
const REPLICA_YOUNG_GENERATION_MB = 192;

function startWorker(settings: WorkerSettings): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./checkpoint-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  const resourceLimits = { maxYoungGenerationSizeMb: REPLICA_YOUNG_GENERATION_MB };
  if (!fromSource) return new Worker(entry, { workerData: settings, resourceLimits });
  const bootstrap = `import('tsx/esm/api')
    .then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })
    .catch((error) => { console.error(error); process.exit(1); });`;
  return new Worker(bootstrap, { eval: true, workerData: settings, resourceLimits });
}
