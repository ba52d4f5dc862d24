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
