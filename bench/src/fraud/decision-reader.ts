// Reads the run's last topic back: decisions (pipeline) or passed-through payments.
import type { Transaction } from '@mlsys/contracts';
import type { Kafka } from '@mlsys/kafka';
import { waitUntil } from '@mlsys/testkit';

/** After producing stops, no new decision for this long means the undecided ones are lost. */
const STALL_MS = 10_000;

/** When a transaction's first decision was read, and the event time it carried. */
export interface Arrival {
  eventTime: number;
  readAt: number;
}

/** What the reader saw: every transaction's first arrival, and how many arrived more than once. */
export interface Arrivals {
  readonly firstSeen: ReadonlyMap<string, Arrival>;
  readonly duplicates: number;
}

/** How the wait for decisions ended: all read, none coming any more (lost), or still coming (backlog). */
export type Drain = 'complete' | 'stalled' | 'deadline';

/**
 * Remembers when each transaction first arrived. Not @mlsys/kafka's TopicReader: latency needs
 * the time each batch was read, which it does not keep, and it keeps every record's text
 * instead (600,000 of them for 60 s at 10,000/s), memory this generator does not need.
 */
export class DecisionReader implements Arrivals {
  readonly firstSeen = new Map<string, Arrival>();
  duplicates = 0;

  private constructor(private readonly consumer: ReturnType<Kafka['consumer']>) {}

  static async start(kafka: Kafka, topic: string, run: string): Promise<DecisionReader> {
    const consumer = kafka.consumer({ groupId: `${run}.reader`, maxWaitTimeInMs: 20 });
    const reader = new DecisionReader(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const readAt = Date.now();
        for (const message of batch.messages) {
          // Decisions and passed-through payments both carry the transaction id and its event time.
          const { transactionId, eventTime } = JSON.parse(message.value!.toString('utf8')) as Transaction;
          if (reader.firstSeen.has(transactionId)) reader.duplicates += 1;
          else reader.firstSeen.set(transactionId, { eventTime, readAt });
        }
      },
    });
    return reader;
  }

  /**
   * Waits until `count` distinct transactions were read (`complete`), or no
   * new one came for STALL_MS (`stalled`: the rest is lost), or the deadline
   * passed while they were still coming (`deadline`: the rest is a backlog).
   */
  waitForAll(count: number, deadline: number): Promise<Drain> {
    let seen = this.firstSeen.size;
    let progressAt = Date.now();
    return waitUntil<Drain>(
      () => {
        if (this.firstSeen.size >= count) return 'complete';
        const now = Date.now();
        if (this.firstSeen.size > seen) {
          seen = this.firstSeen.size;
          progressAt = now;
        }
        if (now - progressAt > STALL_MS) return 'stalled';
        if (now > deadline) return 'deadline';
        return undefined;
      },
      // The check itself ends at the stall or the deadline; checked as often as the reader fetches.
      { timeoutMs: Number.POSITIVE_INFINITY, intervalMs: 20, what: 'decisions' },
    );
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
