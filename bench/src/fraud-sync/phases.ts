// Where a synchronous decision's time went, from the phases txn-api reports in `Server-Timing`
// (its own and the partition owner's): pure, so it can be tested without a stack.
import { percentile } from '@mlsys/results';

/** Phases by name as one answer's `Server-Timing` gave them, in ms. */
export type Phases = Readonly<Record<string, number>>;

export interface TimedSample {
  latencyMs: number;
  /** Absent when no 2xx answer came. */
  phases?: Phases;
}

/**
 * Two phases no service can time, derived from the others: `to_owner`
 * (txn-api's decision call minus the owner's own handling: the HTTP hop and
 * the owner's event-loop queue) and `outside` (the latency from the due
 * time minus txn-api's admission and decision: the generator's and
 * txn-api's queues, parsing, settling the id, the answer's way back).
 */
function withDerived(sample: TimedSample & { phases: Phases }): Record<string, number> {
  const { phases } = sample;
  const derived: Record<string, number> = { ...phases };
  const decision = phases.decision;
  const ownerDecide = phases['owner.decide'];
  if (decision !== undefined && ownerDecide !== undefined) derived.to_owner = decision - ownerDecide;
  if (decision !== undefined) derived.outside = sample.latencyMs - decision - (phases.admit ?? 0);
  return derived;
}

/**
 * The median of each phase over the owner-decided requests at or above the
 * `p`-th latency percentile of those requests: what the slow ones spent
 * their time on (fallbacks are left out: their time is the deadline's).
 * Null when the owner decided none.
 */
export function phaseMedians(samples: readonly TimedSample[], p: number): Record<string, number> | null {
  const owned = samples.filter(
    (s): s is TimedSample & { phases: Phases } => s.phases !== undefined && 'owner.decide' in s.phases,
  );
  const cutoff = percentile(Float64Array.from(owned.map((s) => s.latencyMs)).sort(), p);
  const decided = owned.filter((s) => s.latencyMs >= cutoff);
  if (decided.length === 0) return null;
  const byPhase = new Map<string, number[]>();
  for (const sample of decided) {
    for (const [name, ms] of Object.entries(withDerived(sample))) {
      const values = byPhase.get(name) ?? [];
      values.push(ms);
      byPhase.set(name, values);
    }
  }
  const medians: Record<string, number> = { requests: decided.length };
  for (const [name, values] of byPhase)
    medians[name] = Math.round(percentile(Float64Array.from(values).sort(), 50) * 100) / 100;
  return medians;
}
