import type { Transaction } from '@mlsys/contracts';
import type { JsonProducer } from '@mlsys/kafka';
import type { PaymentLog } from '../domain/request-path.js';

/** Most payments in one produce request. */
const MAX_PER_REQUEST = 500;

interface Queued {
  transaction: Transaction;
  resolve(position: { partition: number; offset: bigint }): void;
  reject(error: Error): void;
}

/**
 * Appends payments to `transactions` in their card's partition (idempotent
 * producer, acks=all) and says where each landed. While one produce request
 * is in flight the next payments queue and go together in the next one, so
 * under load a request carries many payments, and alone one goes at once.
 */
export class KafkaPaymentLog implements PaymentLog {
  private queue: Queued[] = [];
  private sending = false;

  constructor(
    private readonly producer: JsonProducer,
    private readonly topic: string,
    private readonly partitionOf: (cardId: string) => number,
  ) {}

  append(transaction: Transaction): Promise<{ partition: number; offset: bigint }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ transaction, resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_PER_REQUEST);
      try {
        const positions = await this.producer.sendPlaced(
          this.topic,
          batch.map(({ transaction }) => ({
            key: transaction.cardId,
            value: transaction,
            timestamp: transaction.eventTime,
            partition: this.partitionOf(transaction.cardId),
          })),
        );
        for (const [index, queued] of batch.entries()) queued.resolve(positions[index]!);
      } catch (error) {
        for (const queued of batch) queued.reject(error as Error);
      }
    }
    this.sending = false;
  }
}
