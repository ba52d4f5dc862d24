import type { EnrichedTransaction, Transaction } from '@mlsys/contracts';
import {
  type ChargebackResult,
  FEATURE_SPEC_VERSION,
  type FraudFeatureEngine,
  newFeatureVector,
} from '@mlsys/fraud-core';
import type { EngineEvent } from './events.js';

export interface OrderedEvent {
  event: EngineEvent;
  /** Already enriched and emitted before a restart: re-applied to rebuild state, not emitted again. */
  replay: boolean;
}

export interface EnrichmentTally {
  enriched: number;
  /** Payments the engine had already applied (a redelivered or resubmitted transaction): nothing changes. */
  duplicates: number;
  /** Payments re-applied silently while rebuilding state after a restart. */
  replayed: number;
  chargebacks: Record<ChargebackResult, number>;
}

export const emptyTally = (): EnrichmentTally => ({
  enriched: 0,
  duplicates: 0,
  replayed: 0,
  chargebacks: { applied: 0, duplicate: 0, 'unknown-transaction': 0 },
});

/**
 * Applies events to the engine in the given order and returns the enriched
 * payments to emit: one per payment the engine had not seen, none for a
 * duplicate (so one transaction yields one decision however often it is
 * delivered) and none for a replayed event (its output already exists).
 */
export function enrich(
  engine: FraudFeatureEngine,
  events: Iterable<OrderedEvent>,
  enrichedAt: number,
  tally: EnrichmentTally = emptyTally(),
): { enriched: EnrichedTransaction[]; duplicates: Transaction[]; tally: EnrichmentTally } {
  const enriched: EnrichedTransaction[] = [];
  const duplicates: Transaction[] = [];
  // One scratch vector for the whole batch: each message gets its own plain-array copy.
  const scratch = newFeatureVector();
  for (const { event, replay } of events) {
    if (event.kind === 'chargeback') {
      tally.chargebacks[engine.applyChargeback(event.chargeback)] += 1;
      continue;
    }
    const result = engine.apply(event.transaction, scratch);
    if (result.status === 'duplicate') {
      tally.duplicates += 1;
      if (!replay) duplicates.push(event.transaction);
    } else if (replay) {
      tally.replayed += 1;
    } else {
      tally.enriched += 1;
      enriched.push({
        transaction: event.transaction,
        featureSpecVersion: FEATURE_SPEC_VERSION,
        features: Array.from(scratch),
        enrichedAt,
      });
    }
  }
  return { enriched, duplicates, tally };
}
