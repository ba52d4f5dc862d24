import type { CheckpointReplica } from './checkpoint-replica.js';
import type { Checkpointer, CommittedBatch } from './ports.js';

/**
 * The replica on the stream's own thread, batches applied one after the
 * other in the background. Checkpoints then compete with the stream for its
 * thread: right for tests and small streams; the service uses the worker.
 */
export class InlineCheckpointer implements Checkpointer {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly replica: CheckpointReplica) {}

  async restore(): Promise<void> {
    await this.queue;
    await this.replica.restore();
  }

  committed(batch: CommittedBatch): void {
    this.queue = this.queue.then(() => this.replica.apply(batch));
  }

  async close(): Promise<void> {
    await this.queue;
    await this.replica.checkpoint();
  }

  /** Resolves when every batch handed over so far is applied (and its checkpoint, if due, written). */
  async settled(): Promise<void> {
    await this.queue;
  }
}
