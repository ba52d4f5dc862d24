import type { Chargeback, Decision } from '@mlsys/contracts';

export const HOUR = 3_600_000;
export const T0 = Date.UTC(2018, 3, 2);

export function decision(
  i: number,
  eventTime: number,
  outcome: Decision['decision'],
  score: number,
): Decision {
  return {
    transactionId: `tx-${i}`,
    cardId: `card-${i % 7}`,
    decision: outcome,
    score,
    reasons: [],
    mode: 'full',
    modelVersion: 'm',
    rulesVersion: 'r',
    eventTime,
    decidedAt: eventTime + 5,
  };
}

export const chargeback = (d: Decision, reportedAt: number): Chargeback => ({
  transactionId: d.transactionId,
  cardId: d.cardId,
  eventTime: d.eventTime,
  reportedAt,
});

/** A seeded mix over `hours` hours: about 1 in 10 charged back; flags correlate with fraud, imperfectly. */
export function scenario(count = 2_000, hours = 48) {
  let seed = 11;
  const next = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 2 ** 32;
  };
  return Array.from({ length: count }, (_, i) => {
    const fraud = next() < 0.1;
    const score = Math.min(0.999, fraud ? 0.3 + next() * 0.7 : next() * 0.5);
    const outcome = score >= 0.8 ? 'decline' : score >= 0.4 ? 'review' : 'approve';
    return { decision: decision(i, T0 + Math.floor((i / count) * hours * HOUR), outcome, score), fraud };
  });
}

export const DAY = 24 * HOUR;

/** Label maturity as the service's defaults set it; `minCoverage: 0` judges every range (the raw join). */
export const maturity = (minCoverage = 0.8) => ({
  minCoverage,
  prior: { medianMs: 7 * DAY, spread: 0.6 },
  minChargebacks: 100,
});

export type Row = ReturnType<typeof scenario>[number];

/**
 * `days` of the seeded mix, `perDay` decisions a day, each fraud charged
 * back `delay(row, i)` after its payment. `chargebacks`: those reported by
 * the end of the stream (the latest decision), in report order, as a
 * monitor reading both topics live would have them.
 */
export function lateLabelStream(days: number, perDay: number, delay: (row: Row, i: number) => number) {
  const rows = scenario(days * perDay, days * 24);
  const end = rows.at(-1)!.decision.eventTime;
  const chargebacks = rows
    .flatMap((row, i) =>
      row.fraud ? [chargeback(row.decision, row.decision.eventTime + delay(row, i))] : [],
    )
    .filter((c) => c.reportedAt <= end)
    .sort((a, b) => a.reportedAt - b.reportedAt);
  return { rows, end, decisions: rows.map((r) => r.decision), chargebacks };
}

/** Precision and recall against every eventual label (the truth), for decisions aged [fromMs, toMs) at `end`. */
export function truth(rows: readonly Row[], end: number, fromMs: number, toMs: number) {
  const inRange = rows.filter(
    (r) => r.decision.eventTime > end - toMs && r.decision.eventTime <= end - fromMs,
  );
  const flagged = inRange.filter((r) => r.decision.decision !== 'approve');
  const truePositives = flagged.filter((r) => r.fraud).length;
  const frauds = inRange.filter((r) => r.fraud).length;
  return {
    decisions: inRange.length,
    flagged: flagged.length,
    frauds,
    truePositives,
    precision: truePositives / flagged.length,
    recall: truePositives / frauds,
  };
}

/** A seeded log-normal delay (median `medianDays`, log std `spread`), as the simulator draws them. */
export function logNormalDelays(medianDays: number, spread: number, seed = 5) {
  let state = seed;
  const uniform = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  return () => {
    const normal = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    return Math.round(Math.exp(Math.log(medianDays) + spread * normal) * DAY);
  };
}
