import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { textHeaders } from './headers.js';

export interface ReadRecord {
  key: string | null;
  value: string | null;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning under a throw-away group and keeps every
 * record, for tests, benchmarks and load runs that check what a pipeline
 * produced. `waitFor` resolves as soon as the records seen satisfy a condition.
 */
export class TopicReader {
  readonly records: ReadRecord[] = [];
  private readonly consumer: Consumer;
  private waiters: Array<{ check: () => boolean; resolve: () => void }> = [];

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 50 });
  }

  async start(options: { fromBeginning?: boolean } = {}): Promise<this> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: options.fromBeginning ?? true });
    await this.consumer.run({
      eachMessage: async ({ message, partition }) => {
        this.records.push({
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? null,
          partition,
          offset: message.offset,
          headers: textHeaders(message.headers),
        });
        this.waiters = this.waiters.filter((w) => {
          if (!w.check()) return true;
          w.resolve();
          return false;
        });
      },
    });
    return this;
  }

  /** Resolves when `check(records)` holds; rejects after `timeoutMs` with what was seen. */
  waitFor(
    check: (records: readonly ReadRecord[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<readonly ReadRecord[]> {
    if (check(this.records)) return Promise.resolve(this.records);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `topic ${this.topic}: condition not met within ${timeoutMs} ms (${this.records.length} records seen)`,
          ),
        );
      }, timeoutMs);
      const waiter = {
        check: () => check(this.records),
        resolve: () => {
          clearTimeout(timer);
          resolve(this.records);
        },
      };
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
