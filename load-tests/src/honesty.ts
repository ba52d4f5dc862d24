import type { HonestyTarget } from './scenario.js';

export interface AutocannonFigures {
  autocannon_p50_ms: number;
  autocannon_p99_ms: number;
  autocannon_mean_ms: number;
  autocannon_rps: number;
  /** Connection errors (timeouts included) and non-2xx answers. */
  autocannon_errors: number;
  autocannon_requests: number;
}

/** Different request bodies autocannon cycles through, drawn from the scenario's own mix. */
const SAMPLE_REQUESTS = 500;

/**
 * autocannon splits its rate between connections as a per-second budget
 * that each connection spends back to back from the top of the second, so
 * every connection adds to a burst. One connection per 100 requests a
 * second keeps those bursts as small as the rate allows.
 */
const REQUESTS_PER_CONNECTION = 100;

/**
 * Runs autocannon, the well-known Node HTTP load tool, against the same
 * endpoint with the same request mix and rate, as a check on the runner's
 * own numbers. autocannon is a rate-limited closed loop timing from the
 * send, so its figures compare with the runner's send latency; it keeps
 * whole milliseconds, so a sub-millisecond service reads as 0 or 1 ms.
 * `ignoreCoordinatedOmission` stays on: with a rate set, autocannon 8
 * otherwise back-fills samples at an interval of ceil(1 / per-connection
 * rate) ms (1 ms at any realistic rate), which rewrites its distribution.
 */
export async function runAutocannon(
  target: HonestyTarget,
  ratePerSecond: number,
  durationS: number,
): Promise<AutocannonFigures> {
  // Loaded on demand: only this check needs it, and it compiles WebAssembly on import.
  const { default: autocannon } = await import('autocannon');
  const requests = target.requests(SAMPLE_REQUESTS);
  const result = await autocannon({
    url: target.origin,
    connections: Math.min(target.connections, Math.ceil(ratePerSecond / REQUESTS_PER_CONNECTION)),
    overallRate: Math.max(1, Math.round(ratePerSecond)),
    duration: Math.max(1, Math.round(durationS)),
    requests: requests.map(({ method, path, headers, body }) => ({
      method,
      path,
      headers: headers ?? {},
      body,
    })),
    idReplacement: requests.some((r) => r.body?.includes('[<id>]')),
    ignoreCoordinatedOmission: true,
  });
  return {
    autocannon_p50_ms: result.latency.p50,
    autocannon_p99_ms: result.latency.p99,
    autocannon_mean_ms: result.latency.average,
    autocannon_rps: result.requests.total / result.duration,
    autocannon_errors: result.errors + result.non2xx,
    autocannon_requests: result.requests.total,
  };
}
