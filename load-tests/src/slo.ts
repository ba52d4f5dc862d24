import type { SloTarget } from '@mlsys/results';

/**
 * Every target from the two designs, written once. Scenarios, benchmarks,
 * reports and the console read them from here; nothing else restates a number.
 */
export const SLO = {
  recs: {
    /** Design: p95 < 100 ms end to end. */
    endToEndP95: { metric: 'p95_ms', op: '<', target: 100 },
    /** Design: ANN top-1000 < 10 ms; the issue asks for it at the tail. */
    annP99: { metric: 'p99_ms', op: '<=', target: 10 },
    annRecall: { metric: 'recall_at_1000', op: '>=', target: 0.95 },
    /**
     * Not in the design, which gives recommendations a latency target only.
     * Without an error budget a run that fails fast would pass on latency, so
     * the recommendations API is held to the fraud design's 99.9 %.
     */
    availability: { metric: 'availability', op: '>=', target: 0.999 },
  },
  fraud: {
    /** Design: decision < 50 ms; held at the 99th percentile. */
    decisionP99: { metric: 'decision_p99_ms', op: '<', target: 50 },
    /** Design: 10,000 transactions/s sustained. */
    throughput: { metric: 'throughput_tps', op: '>=', target: 10_000 },
    /** Design: 99.9 % availability, measured as the share of requests answered successfully. */
    availability: { metric: 'availability', op: '>=', target: 0.999 },
    /** Design: a crash loses no transaction; every accepted payment gets a decision. */
    lostDecisions: { metric: 'decisions_lost', op: '<=', target: 0 },
    /** Design: a redelivered payment is not decided twice. */
    duplicatedDecisions: { metric: 'decisions_duplicated', op: '<=', target: 0 },
  },
} as const satisfies Record<string, Record<string, SloTarget>>;

export type SloName = { [D in keyof typeof SLO]: `${D}.${keyof (typeof SLO)[D] & string}` }[keyof typeof SLO];

/** Looks a target up by `design.name`, e.g. `recs.endToEndP95`. */
export function sloTarget(name: SloName): SloTarget {
  const [design, key] = name.split('.') as [keyof typeof SLO, string];
  return (SLO[design] as Record<string, SloTarget>)[key] as SloTarget;
}
