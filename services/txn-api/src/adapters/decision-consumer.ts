import { compileSchema, Decision } from '@mlsys/contracts';
import { BatchConsumer, type JsonProducer, type Kafka, type KafkaLogSink } from '@mlsys/kafka';
import type { DecisionStore } from '../domain/ports.js';

export interface DecisionConsumerOptions {
  kafka: Kafka;
  producer: JsonProducer;
  groupId: string;
  decisionsTopic: string;
  deadLetterTopic: string;
  store: DecisionStore;
  logger: KafkaLogSink;
  /** Called once the consumer has its partitions (it reads from the latest offset, so earlier decisions are not seen). */
  onGroupJoin?: () => void;
}

/**
 * Copies the `decisions` topic into the decision store, batch by batch;
 * offsets are committed after the write, so a crash re-writes (idempotently)
 * rather than loses decisions.
 */
export function createDecisionConsumer(options: DecisionConsumerOptions): BatchConsumer<typeof Decision> {
  return new BatchConsumer({
    kafka: options.kafka,
    groupId: options.groupId,
    topics: [options.decisionsTopic],
    schema: compileSchema(Decision),
    deadLetterTopic: options.deadLetterTopic,
    producer: options.producer,
    logger: options.logger,
    fromBeginning: false,
    ...(options.onGroupJoin ? { onGroupJoin: options.onGroupJoin } : {}),
    handleBatch: async (messages) => {
      const decisions = messages.map((m) => m.value);
      await options.store.put(decisions);
    },
  });
}
