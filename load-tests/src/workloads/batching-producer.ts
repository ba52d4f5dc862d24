export interface BatchingOptions {
  /** Largest batch handed to Kafka in one send. */
  maxBatch: number;
  /** How long a message may wait for others to join its batch. */
  lingerMs: number;
}

interface Waiting<M> {
  message: M;
  resolve: (sentAt: number) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers messages into batches, as a Kafka client's linger does: at
 * 10,000 messages a second one send per message would cost more CPU than
 * the load generator has. Each `add` resolves, with the moment its batch was
 * handed to the client, once the batch is acknowledged.
 */
export class BatchingProducer<M> {
  private buffer: Waiting<M>[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sendBatch: (messages: M[]) => Promise<void>,
    private readonly options: BatchingOptions,
    private readonly now: () => number,
  ) {}

  add(message: M): Promise<number> {
    return new Promise((resolve, reject) => {
      this.buffer.push({ message, resolve, reject });
      if (this.buffer.length >= this.options.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs);
    });
  }

  /** Sends whatever is waiting now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    const sentAt = this.now();
    this.sendBatch(batch.map((w) => w.message)).then(
      () => {
        for (const w of batch) w.resolve(sentAt);
      },
      (error: unknown) => {
        for (const w of batch) w.reject(error);
      },
    );
  }
}
