import { compileSchema, Decision, Recommendations } from '@mlsys/contracts';
import { answerSource, classifyAnswer } from './availability.js';

/**
 * How the drill counts an answer of each design. Available = a 2xx within
 * the design's deadline whose body is what the contract says; anything else
 * (late, an invalid body, a payment held for review, an error) is not. A
 * degraded answer is available: the fallbacks are how each design stays up
 * while a part of it is down, so they are counted apart as the degraded share.
 */

const decisionSchema = compileSchema(Decision);
const recommendationsSchema = compileSchema(Recommendations);

export type FraudClass = 'pipeline' | 'rules-only' | 'held-for-review' | 'late' | 'invalid' | 'failed';
export type RecsClass = 'full' | 'degraded' | 'late' | 'invalid' | 'failed';

export interface RawAnswer {
  /** 0 when no response came. */
  status: number;
  latencyMs: number;
  body?: string;
  serverTiming?: string;
}

const parse = (body: string | undefined): unknown => {
  try {
    return body === undefined ? undefined : JSON.parse(body);
  } catch {
    return undefined;
  }
};

/** A `?wait=true` answer: pipeline / rules-only (available), held / late / invalid / failed (not). */
export function classifyFraud(answer: RawAnswer, transactionId: string, deadlineMs: number): FraudClass {
  const source = answerSource(answer.serverTiming, answer.body);
  const { class: kind } = classifyAnswer(
    { status: answer.status, source, latencyMs: answer.latencyMs },
    deadlineMs,
  );
  if (kind !== 'pipeline' && kind !== 'rules-only') return kind;
  const body = parse(answer.body);
  return decisionSchema.check(body) && body.transactionId === transactionId ? kind : 'invalid';
}

/** A recommendations answer: full / degraded (available), late / invalid / failed (not). */
export function classifyRecs(answer: RawAnswer, userId: string, deadlineMs: number): RecsClass {
  if (answer.status < 200 || answer.status >= 300) return 'failed';
  if (answer.latencyMs > deadlineMs) return 'late';
  const body = parse(answer.body);
  if (!recommendationsSchema.check(body) || body.userId !== userId) return 'invalid';
  return body.degraded ? 'degraded' : 'full';
}

export const isAvailable = (kind: FraudClass | RecsClass) =>
  kind === 'pipeline' || kind === 'rules-only' || kind === 'full' || kind === 'degraded';
