/**
 * Every Kafka topic of the project, with the partition count it is created
 * with. Producers key by card (transactions, decisions, chargebacks) so that
 * one card's events stay in order on one partition.
 */
export const Topics = {
  transactions: { name: 'transactions', partitions: 6 },
  transactionsDlq: { name: 'transactions.dlq', partitions: 1 },
  transactionsEnriched: { name: 'transactions.enriched', partitions: 6 },
  decisions: { name: 'decisions', partitions: 6 },
  // Same count as `transactions`: keyed by card, a card's chargebacks land on the partition of its payments.
  chargebacks: { name: 'chargebacks', partitions: 6 },
} as const satisfies Record<string, { name: string; partitions: number }>;

export type TopicKey = keyof typeof Topics;
export type TopicSpec = (typeof Topics)[TopicKey];

/** Headers a dead-lettered message carries, so the cause survives without the logs. */
export const DeadLetterHeaders = {
  reason: 'dlq-reason',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  failedAt: 'dlq-failed-at',
} as const;
