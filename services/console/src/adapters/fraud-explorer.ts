import type { Chargeback, Decision, Transaction } from '@mlsys/contracts';
import { type FeatureTable, groupFeatures } from '../domain/fraud-features.js';
import type { PresetStep } from '../domain/fraud-presets.js';
import { parseServerTiming, type TimingEntry } from '../domain/server-timing.js';
import type { EnrichedLookup } from './enriched-lookup.js';

export interface PaymentOutcome {
  transaction: Transaction;
  status: number;
  elapsedMs: number;
  serverTiming: TimingEntry[];
  /** The decision (`?wait=true`), or the error body. */
  body: Decision | unknown;
}

export interface FraudExplanation {
  steps: Array<PaymentOutcome | { chargeback: Chargeback } | { pausedMs: number }>;
  probe: PaymentOutcome | undefined;
  features: FeatureTable | undefined;
  featureSpecVersion?: string;
  /** Why the features are missing, when they are. */
  featuresNote?: string;
}

export interface FraudExplorerDeps {
  txnApiUrl: string;
  lookup: EnrichedLookup;
  reportChargebacks: (chargebacks: Chargeback[]) => Promise<void>;
  featureNames: readonly string[];
  /** How long to wait for the feature engine's record of the probe. */
  featuresTimeoutMs?: number;
}

async function pay(txnApiUrl: string, transaction: Transaction): Promise<PaymentOutcome> {
  const started = performance.now();
  const res = await fetch(`${txnApiUrl}/v1/transactions?wait=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(transaction),
    signal: AbortSignal.timeout(5000),
  });
  return {
    transaction,
    status: res.status,
    elapsedMs: performance.now() - started,
    serverTiming: parseServerTiming(res.headers.get('server-timing')),
    body: (await res.json()) as unknown,
  };
}

/**
 * Plays a preset (or one payment) against the running pipeline, in order,
 * and explains its last payment: the decision txn-api answered with its
 * Server-Timing, and the features the feature engine computed for it, read
 * back from the enriched topic.
 */
export async function explainPayments(
  deps: FraudExplorerDeps,
  steps: readonly PresetStep[],
): Promise<FraudExplanation> {
  const explanation: FraudExplanation = { steps: [], probe: undefined, features: undefined };
  for (const step of steps) {
    if (step.kind === 'payment') {
      const outcome = await pay(deps.txnApiUrl, step.transaction);
      explanation.steps.push(outcome);
      explanation.probe = outcome;
    } else if (step.kind === 'chargeback') {
      await deps.reportChargebacks([step.chargeback]);
      explanation.steps.push({ chargeback: step.chargeback });
    } else {
      await new Promise((resolve) => setTimeout(resolve, step.ms));
      explanation.steps.push({ pausedMs: step.ms });
    }
  }
  const probe = explanation.probe;
  if (probe?.status !== 200) {
    explanation.featuresNote = 'the payment was not decided, so it has no features';
    return explanation;
  }
  const timeoutMs = deps.featuresTimeoutMs ?? 5000;
  const record = await deps.lookup.waitFor(probe.transaction.transactionId, timeoutMs);
  if (!record) {
    explanation.featuresNote = `the feature engine's record did not reach the enriched topic within ${timeoutMs} ms`;
    return explanation;
  }
  explanation.features = groupFeatures(deps.featureNames, record.features);
  explanation.featureSpecVersion = record.featureSpecVersion;
  return explanation;
}
