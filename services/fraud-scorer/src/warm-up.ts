import type { EnrichedTransaction } from '@mlsys/contracts';
import { warmUpPayment } from '@mlsys/fraud-core';
import type { StreamRecord } from '@mlsys/kafka/stream';
import type { ServiceApp, WarmUp } from '@mlsys/service-kit';
import type { Thresholds } from './domain/decide.js';
import type { FraudModel } from './domain/ports.js';
import type { RuleBook } from './domain/rules.js';
import { ScoringTask } from './domain/scoring-task.js';

/** Batch sizes the stream hands the task: a lone payment, and the small batches of a steady flow. */
const BATCH_SIZES = [1, 8, 64];

/**
 * The warm-up's scoring: the stream's task code (model call per batch, the
 * rules, one decision each) on made-up enriched payments at the stream's
 * batch sizes, through a task of its own with no observer: its decisions are
 * neither counted nor produced (the output is discarded; nothing here holds
 * a Kafka client). Then the rules-only route once.
 */
export function warmUpScoring(
  warmUp: WarmUp,
  app: ServiceApp,
  scoring: { model: FraudModel; rules: () => RuleBook; thresholds: Thresholds },
): void {
  const task = new ScoringTask({ ...scoring, decisionsTopic: 'warm-up (never produced)' });
  warmUp.step(`scoring (batches of ${BATCH_SIZES.join(', ')})`, async () => {
    const nowMs = Date.now();
    for (let round = 0; round < 3; round++) {
      for (const size of BATCH_SIZES) {
        const records = Array.from({ length: size }, (_, i) => warmUpRecord(scoring.model, i, nowMs));
        await task.process(records);
      }
    }
  });
  warmUp.request('rules-only route', app, {
    method: 'POST',
    url: '/v1/decisions/rules-only',
    payload: warmUpPayment(0, Date.now()),
  });
}

function warmUpRecord(model: FraudModel, i: number, nowMs: number): StreamRecord<EnrichedTransaction> {
  const transaction = warmUpPayment(i, nowMs);
  // Plausible magnitudes, not zeros: a tree model walks other branches for an all-zero row.
  const features = Array.from({ length: model.featureCount }, (_, f) => ((i + 1) * (f + 3)) % 17);
  return {
    topic: 'warm-up',
    partition: 0,
    offset: BigInt(i),
    key: transaction.cardId,
    value: { transaction, featureSpecVersion: model.featureSpecVersion, features, enrichedAt: nowMs },
    timestamp: nowMs,
    replay: false,
  };
}
