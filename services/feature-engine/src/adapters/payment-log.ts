import type { Transaction } from '@mlsys/contracts';
import type { JsonProducer } from '@mlsys/kafka';
import type { PaymentLog } from '../domain/request-path.js';

/** Appends a payment to `transactions`, keyed by card (idempotent producer, acks=all), and says where it landed. */
export class KafkaPaymentLog implements PaymentLog {
  constructor(
    private readonly producer: JsonProducer,
    private readonly topic: string,
  ) {}

  append(transaction: Transaction): Promise<{ partition: number; offset: bigint }> {
    return this.producer.sendOne(this.topic, {
      key: transaction.cardId,
      value: transaction,
      timestamp: transaction.eventTime,
    });
  }
}
