import type { EnrichedTransaction } from '@mlsys/contracts';
import type { Consumer, Kafka } from 'kafkajs';

/**
 * The features the feature engine computed for the explorer's own payments:
 * a consumer of the enriched topic (its own group, from the newest offset)
 * that keeps the records whose transaction id starts with `idPrefix`, found
 * by a substring test before any parse, so the pipeline's other payments
 * cost a scan only. Keeps the last `capacity` of them.
 */
export class EnrichedLookup {
  private readonly consumer: Consumer;
  private readonly found = new Map<string, EnrichedTransaction>();
  private readonly waiters = new Map<string, Array<(record: EnrichedTransaction) => void>>();
  private readonly marker: string;

  constructor(
    kafka: Kafka,
    private readonly options: { topic: string; groupId: string; idPrefix: string; capacity?: number },
  ) {
    this.consumer = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 100 });
    this.marker = `"transactionId":"${options.idPrefix}`;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: false });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const text = message.value?.toString('utf8');
        if (!text?.includes(this.marker)) return;
        const record = JSON.parse(text) as EnrichedTransaction;
        this.keep(record);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  /** The record of `transactionId`, waiting up to `timeoutMs` for it; undefined if it did not come. */
  waitFor(transactionId: string, timeoutMs: number): Promise<EnrichedTransaction | undefined> {
    const known = this.found.get(transactionId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const done = (record: EnrichedTransaction | undefined) => {
        clearTimeout(timer);
        const list = this.waiters.get(transactionId)?.filter((w) => w !== done) ?? [];
        if (list.length > 0) this.waiters.set(transactionId, list);
        else this.waiters.delete(transactionId);
        resolve(record);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.waiters.set(transactionId, [...(this.waiters.get(transactionId) ?? []), done]);
    });
  }

  private keep(record: EnrichedTransaction): void {
    const id = record.transaction.transactionId;
    this.found.set(id, record);
    if (this.found.size > (this.options.capacity ?? 1000)) {
      const oldest = this.found.keys().next().value;
      if (oldest !== undefined) this.found.delete(oldest);
    }
    for (const waiter of this.waiters.get(id) ?? []) waiter(record);
  }
}
