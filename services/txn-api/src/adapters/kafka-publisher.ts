import type { Transaction } from '@mlsys/contracts';
import { type JsonProducer, RecordAppender } from '@mlsys/kafka';
import type { TransactionPublisher } from '../domain/ports.js';

/**
 * Produces each transaction keyed by card, so one card's transactions stay
 * in order on one partition (the feature engine's per-card state relies on it).
 * acks=all: the 202 is only sent once the broker has the transaction.
 * Concurrent publishes share a produce request: when the owners are late and
 * every `?wait=true` payment falls back to publishing here, they must not
 * queue one broker round trip each.
 */
export class KafkaTransactionPublisher implements TransactionPublisher {
  private readonly appender: RecordAppender<Transaction>;

  constructor(producer: JsonProducer, topic: string, partitionOf: (cardId: string) => number) {
    this.appender = new RecordAppender(producer, topic, partitionOf);
  }

  async publish(transaction: Transaction): Promise<void> {
    await this.appender.append({
      key: transaction.cardId,
      value: transaction,
      timestamp: transaction.eventTime,
    });
  }
}
