import type { Transaction } from '@mlsys/contracts';
import { type FraudFeatureEngine, newFeatureVector, warmUpPayment } from '@mlsys/fraud-core';
import type { ServiceApp, WarmUp } from '@mlsys/service-kit';
import type { PaymentScorer } from './domain/request-path.js';

export interface FeatureEngineWarmUp {
  /** A new engine of the warm-up's own: the live state is never touched. */
  scratchEngine: () => FraudFeatureEngine;
  /** A scorer of the warm-up's own over the served model and rules (no metrics), batching what arrives together. */
  scorer: PaymentScorer;
  /** A terminal of the artifacts, so the distance-from-home code runs as for a real payment. */
  terminalId: string;
}

/**
 * The request path's work on made-up payments, writing nothing durable:
 * features from a scratch engine (never the live state), scored through a
 * ModelScorer of its own at batch sizes 1 and 8 (the payment log, the
 * journal and Kafka are not involved: `decide` is never called), then the
 * routes that only read (status, an entity lookup: a Redis round trip; 404
 * for a card no checkpoint holds), and `POST /v1/decide` with an empty body,
 * which validation answers 400 before any handler runs.
 */
export function warmUpRequestPath(warmUp: WarmUp, app: ServiceApp, deps: FeatureEngineWarmUp): void {
  warmUp.step('features and model (scratch state; batches of 1 and 8)', async () => {
    const engine = deps.scratchEngine();
    const nowMs = Date.now();
    let i = 0;
    const featuresOf = (transaction: Transaction) => {
      const vector = newFeatureVector();
      engine.apply(transaction, vector);
      return Array.from(vector);
    };
    for (let round = 0; round < 3; round++) {
      const lone = warmUpPayment(i++, nowMs, deps.terminalId);
      await deps.scorer.score(lone, featuresOf(lone));
      const batch = Array.from({ length: 8 }, () => warmUpPayment(i++, nowMs, deps.terminalId));
      const features = batch.map(featuresOf);
      await Promise.all(batch.map((transaction, k) => deps.scorer.score(transaction, features[k]!)));
    }
  });
  warmUp.request(
    'read routes (Redis round trip)',
    app,
    [
      { method: 'GET', url: '/v1/status' },
      { method: 'GET', url: '/v1/entities/card/warm-up-card-0' },
    ],
    { expectStatus: [200, 404], times: 2 },
  );
  warmUp.request(
    'decide validation',
    app,
    { method: 'POST', url: '/v1/decide', payload: {} },
    { expectStatus: 400 },
  );
}
