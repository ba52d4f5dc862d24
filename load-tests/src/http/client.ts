import { Pool } from 'undici';
import type { IterationOutcome } from '../runner.js';
import type { HttpRequestSpec } from '../scenario.js';

export interface HttpClientOptions {
  /** Keep-alive connections the pool may open; requests beyond them wait in the pool's queue. */
  connections: number;
  /** Headers and body each get this long before the request fails. */
  timeoutMs: number;
}

export interface HttpExchange {
  /** 0 when no response came. */
  status: number;
  sentAt?: number;
  serverTiming?: string;
  body?: string;
  /** Why no response came (`ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`). */
  error?: string;
}

/** `ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`, ...: short and stable, so the report can count them. */
function describe(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.message.split('\n')[0] || error.name;
}

/**
 * HTTP over one undici keep-alive pool, timing each request from the moment
 * it is written to its socket (`onRequestStart`), not from when it was
 * handed to the pool: the difference is client-side queueing, which the
 * scheduled-start latency counts and the send latency does not.
 */
export class HttpClient {
  private readonly pool: Pool;

  constructor(
    readonly origin: string,
    readonly options: HttpClientOptions,
  ) {
    this.pool = new Pool(origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
    });
  }

  /** @param expectStatus the one status that counts as success; any 2xx when absent. */
  async send(request: HttpRequestSpec, now: () => number, expectStatus?: number): Promise<IterationOutcome> {
    // The body is read and dropped: its size is the service's concern, not the runner's.
    const { status, sentAt, error } = await this.dispatch(request, now, false);
    const sent = sentAt === undefined ? {} : { sentAt };
    if (status === 0) return { ok: false, error: error ?? 'no response', ...sent };
    const ok = expectStatus === undefined ? status >= 200 && status < 300 : status === expectStatus;
    return ok ? { ok: true, ...sent } : { ok: false, error: `status ${status}`, ...sent };
  }

  /**
   * The same request, keeping what `send` drops: the status (0 when no
   * response came), the `Server-Timing` header and the body, for workloads
   * that classify answers by their content.
   */
  exchange(request: HttpRequestSpec, now: () => number): Promise<HttpExchange> {
    return this.dispatch(request, now, true);
  }

  private dispatch(request: HttpRequestSpec, now: () => number, keepBody: boolean): Promise<HttpExchange> {
    return new Promise((resolve) => {
      const result: HttpExchange = { status: 0 };
      const chunks: Buffer[] = [];
      this.pool.dispatch(
        {
          method: request.method,
          path: request.path,
          headers: request.headers ?? {},
          body: request.body ?? null,
          headersTimeout: this.options.timeoutMs,
          bodyTimeout: this.options.timeoutMs,
        },
        {
          onRequestStart() {
            result.sentAt = now();
          },
          onResponseStart(_controller, statusCode, headers) {
            result.status = statusCode;
            const timing = headers['server-timing'];
            if (timing !== undefined)
              result.serverTiming = Array.isArray(timing) ? timing.join(', ') : timing;
          },
          onResponseData(_controller, chunk) {
            if (keepBody) chunks.push(chunk);
          },
          onResponseEnd() {
            if (keepBody) result.body = Buffer.concat(chunks).toString('utf8');
            resolve(result);
          },
          onResponseError(_controller, error) {
            // A response that broke off midway is no answer.
            resolve({ ...result, status: 0, error: describe(error) });
          },
        },
      );
    });
  }

  /** Fails whatever is still queued or in flight; the runner has already given up on it. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/**
 * Asks the service's `/readyz` before loading it, so a missing or unready
 * service fails the run at once with what to do, instead of as a 100 % error rate.
 */
export async function checkReady(origin: string, service: string): Promise<void> {
  const pool = new Pool(origin, { connections: 1 });
  try {
    let status: number;
    let body: string;
    try {
      const response = await pool.request({
        method: 'GET',
        path: '/readyz',
        headersTimeout: 5000,
        bodyTimeout: 5000,
      });
      status = response.statusCode;
      body = await response.body.text();
    } catch (error) {
      throw new Error(
        `nothing answers at ${origin} (${describe(error as Error)}): start the stack with \`npm start\`, ` +
          `or point the scenario at ${service} with --target URL`,
      );
    }
    if (status !== 200) {
      throw new Error(
        `${service} at ${origin} is not ready (GET /readyz answered ${status}: ${body.slice(0, 300)})`,
      );
    }
  } finally {
    await pool.destroy();
  }
}
