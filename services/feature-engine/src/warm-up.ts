import type { Transaction } from '@mlsys/contracts';
import { type FraudFeatureEngine, newFeatureVector } from '@mlsys/fraud-core';
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

/** Cards the made-up payments are spread over: each pays several times, so the windows have history. */
const CARDS = 4;
const HOUR_MS = 3_600_000;

/** A made-up payment; its card and id say so, and it never leaves this process. */
export function warmUpPayment(i: number, nowMs: number, terminalId: string): Transaction {
  return {
    transactionId: `warm-up-${i}`,
    eventTime: nowMs - (40 - i) * HOUR_MS,
    cardId: `warm-up-card-${i % CARDS}`,
    terminalId,
    amount: 5 + ((i * 37) % 500),
    currency: 'EUR',
    channel: i % 2 === 0 ? 'pos' : 'ecom',
    merchantCategory: '5411',
    deviceId: `warm-up-device-${i % 3}`,
    ip: `192.0.2.${i % 7}`,
  };
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
