import { DeadLetterHeaders, type Decision } from '@mlsys/contracts';
import { createKafka, ensureTopics, JsonProducer, TopicReader } from '@mlsys/kafka';
import { createLogger } from '@mlsys/telemetry';
import { uniqueName } from '@mlsys/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createScoringStream } from '../src/adapters/scoring-stream.js';
import { RuleBook } from '../src/domain/rules.js';
import { ScoringTask } from '../src/domain/scoring-task.js';
import { AmountModel, enriched, highAmountRule, payment, ruleSet } from './fixtures.js';

const infra = inject('infra');
const kafka = createKafka({ clientId: 'fraud-scorer-test', brokers: infra.kafkaBrokers });
const topics = {
  enriched: uniqueName('enriched'),
  decisions: uniqueName('decisions'),
  deadLetters: uniqueName('dlq'),
};
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('fraud-scorer against the real Kafka', () => {
  it('when enriched transactions arrive among malformed ones, then each valid one gets one decision and the rest are dead-lettered with the reason', async () => {
    await ensureTopics(kafka, [
      { name: topics.enriched, partitions: 6 },
      { name: topics.decisions, partitions: 6 },
      { name: topics.deadLetters, partitions: 1 },
    ]);
    const producer = new JsonProducer(kafka);
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const small = enriched(payment({ cardId: 'card-a', amount: 30 }));
    const large = enriched(payment({ cardId: 'card-b', amount: 950 }));
    const malformed: unknown = { ...small, features: 'none' };
    await producer.send<unknown>(topics.enriched, [
      { key: 'card-a', value: small },
      { key: 'card-a', value: malformed },
      { key: 'card-b', value: large },
    ]);
    const decisionsReader = await new TopicReader(kafka, topics.decisions).start();
    const deadReader = await new TopicReader(kafka, topics.deadLetters).start();
    cleanups.push(
      () => decisionsReader.stop(),
      () => deadReader.stop(),
    );

    const stream = createScoringStream({
      kafka,
      task: new ScoringTask({
        model: new AmountModel(),
        rules: () => RuleBook.compile(ruleSet([highAmountRule])),
        thresholds: { review: 0.1, decline: 0.8 },
        decisionsTopic: topics.decisions,
      }),
      topics,
      groupId: uniqueName('scorer'),
      transactionalId: uniqueName('scorer-txn'),
      logger: createLogger({ service: 'fraud-scorer-test', level: 'silent' }),
      maxBatchRecords: 1_000,
      commitIntervalMs: 0,
      minFetchBytes: 1,
      sessionTimeoutMs: 10_000,
    });
    await stream.start();
    cleanups.push(() => stream.stop());
    const decided = await decisionsReader.waitFor((r) => r.length >= 2);
    const dead = await deadReader.waitFor((r) => r.length >= 1);

    const byId = new Map(
      decided.map((r) => [(JSON.parse(r.value!) as Decision).transactionId, JSON.parse(r.value!)]),
    );
    expect(byId.size).toBe(2);
    expect(byId.get(small.transaction.transactionId)).toMatchObject({ decision: 'approve', mode: 'full' });
    expect(byId.get(large.transaction.transactionId)).toMatchObject({ decision: 'decline' });
    expect(dead[0]!.headers[DeadLetterHeaders.reason]).toMatch(/^features: /);
    expect(decided.every((r) => r.key === (JSON.parse(r.value!) as Decision).cardId)).toBe(true);
  });
});
