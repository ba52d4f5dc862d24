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
  /** Stable across restarts: the decisions and chargebacks groups resume from their committed offsets. */
  groupPrefix: string;
  /** Unique per process start: the enriched group reads from now on (see `createMonitorConsumers`). */
  instanceId: string;
  logger: KafkaLogSink;
}

/**
 * One consumer per input, each in its own group (their schemas differ).
 * Decisions and chargebacks go to the label store, and `BatchConsumer`
 * commits a batch's offsets only after the store has written it: a crash
 * replays a batch (the store counts it once), never skips one. Their groups
 * are stable, so a restart resumes where the last run committed (the oldest
 * retained record on a group's first start). The enriched stream feeds the
 * in-memory drift sample, which refills in seconds: its group is unique per
 * start and reads from now on.
 */
export function createMonitorConsumers(options: MonitorConsumersOptions) {
  const { kafka, producer, monitor, topics, groupPrefix, instanceId, logger } = options;
  const common = { kafka, producer, logger, deadLetterTopic: topics.deadLetters };
  return [
    new BatchConsumer({
      ...common,
      groupId: `${groupPrefix}.decisions`,
      topics: [topics.decisions],
      schema: compileSchema(Decision),
      fromBeginning: true,
      handleBatch: (messages) => monitor.addDecisions(messages.map((m) => m.value)),
    }),
    new BatchConsumer({
      ...common,
      groupId: `${groupPrefix}.chargebacks`,
      topics: [topics.chargebacks],
      schema: compileSchema(Chargeback),
      fromBeginning: true,
      handleBatch: (messages) => monitor.addChargebacks(messages.map((m) => m.value)),
    }),
    new BatchConsumer({
      ...common,
      groupId: `${groupPrefix}.enriched-${instanceId}`,
      topics: [topics.enriched],
      schema: compileSchema(EnrichedTransaction),
      fromBeginning: false,
      handleBatch: async (messages) => monitor.addEnriched(messages.map((m) => m.value)),
    }),
  ];
}
