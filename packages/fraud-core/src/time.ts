/** Durations in milliseconds: event times are ms since the Unix epoch everywhere in the fraud design. */
export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Amounts are aggregated in integer cents so that adding and expiring buckets never drifts. */
export const toCents = (amount: number): number => Math.round(amount * 100);
