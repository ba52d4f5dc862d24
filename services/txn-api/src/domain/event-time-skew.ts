import type { FieldError } from '@mlsys/contracts';

/** Default of `MAX_EVENT_TIME_SKEW_MS`: room for a sender's clock drift, not for a date typed wrong. */
export const DEFAULT_MAX_EVENT_TIME_SKEW_MS = 5 * 60_000;

/**
 * A payment cannot have happened after it reached us, give or take the
 * sender's clock drift. One dated far ahead would move its card's and
 * terminal's clock forward in the feature engine and expire their whole
 * history, so the edge refuses it. Returns the problem as a field error, or
 * undefined when the time is acceptable; times in the past are the
 * pipeline's to judge (late payments are normal).
 */
export function eventTimeTooFarAhead(
  eventTime: number,
  now: number,
  maxSkewMs: number,
): FieldError | undefined {
  const ahead = eventTime - now;
  if (ahead <= maxSkewMs) return undefined;
  return {
    field: 'eventTime',
    reason:
      `must be at most ${maxSkewMs} ms ahead of the server clock (${new Date(now).toISOString()}), ` +
      `is ${ahead} ms ahead: send when the payment happened, in ms since the Unix epoch`,
  };
}
