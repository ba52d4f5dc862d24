import { Chargeback, compileSchema, Decision, EnrichedTransaction } from '@mlsys/contracts';
import { BatchConsumer, type JsonProducer, type Kafka, type KafkaLogSink } from '@mlsys/kafka';
import type { FraudMonitor } from '../domain/fraud-monitor.js';

export interface MonitorTopics {
  decisions: string;
  chargebacks: string;
  enriched: string;
  deadLetters: string;
}

export interface MonitorConsumersOptions {
  kafka: Kafka;
  producer: JsonProducer;
  monitor: FraudMonitor;
  topics: MonitorTopics;
  /** Unique per process start: see `createMonitorConsumers`. */
  groupPrefix: string;
  logger: KafkaLogSink;
}

/**
 * One consumer per input, each in its own group (their schemas differ).
 * The monitor keeps its join in memory and rebuilds it on start: decisions
 * and chargebacks are read from the oldest retained record, the enriched
 * stream from now on (the drift sample is the latest transactions and
 * refills in seconds). Hence a group prefix unique per start.
 */
export function createMonitorConsumers(options: MonitorConsumersOptions) {
  const { kafka, producer, monitor, topics, groupPrefix, logger } = options;
  const common = { kafka, producer, logger, deadLetterTopic: topics.deadLetters };
  return [
    new BatchConsumer({
      ...common,
      groupId: `${groupPrefix}.decisions`,
      topics: [topics.decisions],
      schema: compileSchema(Decision),
      fromBeginning: true,
      handleBatch: async (messages) => monitor.addDecisions(messages.map((m) => m.value)),
    }),
    new BatchConsumer({
      ...common,
      groupId: `${groupPrefix}.chargebacks`,
      topics: [topics.chargebacks],
      schema: compileSchema(Chargeback),
      fromBeginning: true,
      handleBatch: async (messages) => monitor.addChargebacks(messages.map((m) => m.value)),
    }),
    new BatchConsumer({
      ...common,
      groupId: `${groupPrefix}.enriched`,
      topics: [topics.enriched],
      schema: compileSchema(EnrichedTransaction),
      fromBeginning: false,
      handleBatch: async (messages) => monitor.addEnriched(messages.map((m) => m.value)),
    }),
  ];
}
