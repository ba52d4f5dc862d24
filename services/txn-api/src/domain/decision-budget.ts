/**
 * The synchronous path's time budget. The design's SLO is a decision in
 * under 50 ms; a `?wait=true` answer can spend the wait for the pipeline,
 * then a Redis look-up, then the rules-only call, so the defaults leave room
 * for the last two inside the SLO rather than waiting the whole of it.
 */
export const DECISION_SLO_MS = 50;

export const SYNC_DECISION_DEFAULTS = {
  /** How long `?wait=true` waits for the pipeline's decision. */
  deadlineMs: 40,
  /** How long the rules-only fallback (a local HTTP call, ~1-2 ms) may take. */
  scorerTimeoutMs: 8,
} as const;
