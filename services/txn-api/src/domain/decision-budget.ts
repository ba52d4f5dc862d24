/**
 * The synchronous path's time budget. The design's SLO is a decision in
 * under 50 ms; a `?wait=true` answer can spend the wait for the card
 * partition owner's decision, then publishing the payment itself, then the
 * rules-only decision (in-process, well under a millisecond), so the wait
 * leaves room for the last two, and for a busy event loop, inside the SLO
 * rather than waiting the whole of it.
 */
export const DECISION_SLO_MS = 50;

export const SYNC_DECISION_DEFAULTS = {
  /** How long `?wait=true` waits for the owner's decision. */
  deadlineMs: 40,
  /** What the wait leaves for publishing the payment and the in-process rules. */
  fallbackMarginMs: 10,
} as const;
