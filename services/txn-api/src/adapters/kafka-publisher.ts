import type { Transaction } from '@mlsys/contracts';
import type { JsonProducer } from '@mlsys/kafka';
import type { TransactionPublisher } from '../domain/ports.js';

/**
 * Produces each transaction keyed by card, so one card's transactions stay
 * in order on one partition (the feature engine's per-card state relies on it).
 * acks=all: the 202 is only sent once the broker has the transaction.
 */
export class KafkaTransactionPublisher implements TransactionPublisher {
  constructor(
    private readonly producer: JsonProducer,
    private readonly topic: string,
  ) {}

  async publish(transaction: Transaction): Promise<void> {
    await this.producer.send(this.topic, [
      { key: transaction.cardId, value: transaction, timestamp: transaction.eventTime },
    ]);
  }
}
