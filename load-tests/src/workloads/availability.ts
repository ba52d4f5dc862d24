/**
 * How one synchronous fraud answer counts towards availability.
 *
 * Available = a 2xx answer within the caller's deadline, whether the
 * pipeline decided it (`mode: "full"`) or txn-api fell back to the scorer's
 * payment-level rules (`mode: "rules-only"`): that fallback is the design's
 * way of staying available while the pipeline is slow or down. A payment
 * held for review because the rules did not answer either is a 200 too, but
 * nothing decided it, so it counts as unavailable (and is counted apart).
 */

/** Where a 2xx answer came from, as txn-api's `Server-Timing` (or the body's `mode`) says. */
export type AnswerSource = 'pipeline' | 'rules-only' | 'held-for-review' | 'unknown';

export type AnswerClass =
  | 'pipeline'
  | 'rules-only'
  | 'held-for-review'
  /** 2xx, but after the deadline. */
  | 'late'
  /** Non-2xx, a timeout, or no answer at all. */
  | 'failed';

export interface Answer {
  /** 0 when no response came (connection refused, timeout). */
  status: number;
  source: AnswerSource;
  /** From the request's scheduled start to the end of its response. */
  latencyMs: number;
}

export interface Classified {
  class: AnswerClass;
  available: boolean;
}

export function classifyAnswer(answer: Answer, deadlineMs: number): Classified {
  if (answer.status < 200 || answer.status >= 300) return { class: 'failed', available: false };
  if (answer.latencyMs > deadlineMs) return { class: 'late', available: false };
  switch (answer.source) {
    case 'pipeline':
      return { class: 'pipeline', available: true };
    case 'rules-only':
      return { class: 'rules-only', available: true };
    case 'held-for-review':
      return { class: 'held-for-review', available: false };
    default:
      // A 2xx whose origin cannot be told (no header, no mode): answered in time, counted as the pipeline's.
      return { class: 'pipeline', available: true };
  }
}

const SOURCES = ['pipeline', 'rules-only', 'held-for-review'] as const;

/**
 * Reads the source from txn-api's `Server-Timing: decision;dur=..;desc="pipeline"`;
 * without it, from the body's `mode` (`full` -> pipeline). A held payment
 * also says `rules-only` in its body, so the header is preferred.
 */
export function answerSource(serverTiming: string | undefined, body: string | undefined): AnswerSource {
  if (serverTiming) {
    const desc = /desc="?([a-z-]+)"?/.exec(serverTiming)?.[1];
    const known = SOURCES.find((s) => s === desc);
    if (known) return known;
  }
  if (body) {
    try {
      const mode = (JSON.parse(body) as { mode?: unknown }).mode;
      if (mode === 'full') return 'pipeline';
      if (mode === 'rules-only') return 'rules-only';
    } catch {
      /* not JSON: unknown */
    }
  }
  return 'unknown';
}
