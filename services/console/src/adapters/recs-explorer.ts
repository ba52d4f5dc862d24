import type { Recommendations } from '@mlsys/contracts';
import { parseServerTiming, type TimingEntry } from '../domain/server-timing.js';

export interface RecsExplanation {
  status: number;
  elapsedMs: number;
  serverTiming: TimingEntry[];
  /** The answer with every stage's output (`explain=true`), or the error body. */
  body: Recommendations | unknown;
}

/** Asks rec-api for one explained recommendation, as a client would. */
export async function explainRecommendation(
  recApiUrl: string,
  query: { userId: string; region: string; count: number },
): Promise<RecsExplanation> {
  const started = performance.now();
  const url = `${recApiUrl}/v1/recommendations/${encodeURIComponent(query.userId)}?region=${encodeURIComponent(query.region)}&count=${query.count}&explain=true`;
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as unknown;
  return {
    status: res.status,
    elapsedMs: performance.now() - started,
    serverTiming: parseServerTiming(res.headers.get('server-timing')),
    body,
  };
}
