import type { Transaction } from '@mlsys/contracts';
import { type JsonProducer, RecordAppender } from '@mlsys/kafka';
import type { PaymentLog } from '../domain/request-path.js';

/**
 * Appends payments to `transactions` in their card's partition (idempotent
 * producer, acks=all) and says where each landed; concurrent payments share
 * a produce request.
 */
export class KafkaPaymentLog implements PaymentLog {
  private readonly appender: RecordAppender<Transaction>;

  constructor(producer: JsonProducer, topic: string, partitionOf: (cardId: string) => number) {
    this.appender = new RecordAppender(producer, topic, partitionOf);
  }

  append(transaction: Transaction): Promise<{ partition: number; offset: bigint }> {
    return this.appender.append({
      key: transaction.cardId,
      value: transaction,
      timestamp: transaction.eventTime,
    });
  }
}
