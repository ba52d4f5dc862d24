import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger, Metrics } from '@mlsys/telemetry';
import type { InjectOptions } from 'fastify';
import type { ServiceApp } from './app.js';

/** Header marking a request the warm-up sent itself (`app.inject`); its value is a per-process token. */
export const WARM_UP_HEADER = 'x-warm-up';

/** One piece of the hot path, run on synthetic input; what it resolves with is discarded. */
export type WarmUpStep = () => Promise<unknown>;

export interface WarmUpOptions {
  logger: Logger;
  metrics: Metrics;
  /** A step still running after this long fails the warm-up (a hung client must not hang it silently). */
  stepTimeoutMs?: number;
  /**
   * After a failed run, the warm-up runs again after this long, doubling up
   * to `maxRetryMs` (1 s, 15 s); 0 never retries.
   */
  retryMs?: number;
  maxRetryMs?: number;
}

type Phase =
  | { kind: 'waiting' }
  | { kind: 'running'; step: string }
  | { kind: 'done'; ms: number }
  | { kind: 'failed'; step: string; message: string; retryInMs: number | undefined };

/**
 * Runs a service's hot path once before it says it is ready, so that the
 * first requests after a start do not pay for lazy work: the first ONNX run
 * allocating its buffers, HNSW pages faulted in, V8 compiling the handlers,
 * keep-alive pools and Redis scripts not yet open or loaded.
 *
 * The service adds steps (`step`), hands the warm-up to `createServiceApp`
 * (`readiness.warmUp`), whose `/readyz` then answers 503 until every step has
 * finished, and runs it once listening (`run`). A failed step keeps the
 * service unready and is logged: a hot path that throws on synthetic input
 * would throw on the first real request too. The whole warm-up then runs
 * again after a back-off, since what failed is as often a dependency still
 * starting (a Redis loading its snapshot answers nothing for seconds) as the
 * service itself; `stop` (the app's close) ends the retries.
 */
export class WarmUp {
  private readonly steps: Array<{ name: string; run: WarmUpStep }> = [];
  private phase: Phase = { kind: 'waiting' };
  private running: Promise<boolean> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Unguessable, so that no caller can hide a real request from the request metrics. */
  private readonly token = randomUUID();
  private readonly seconds;

  constructor(private readonly options: WarmUpOptions) {
    this.seconds = options.metrics.gauge(
      'service_warmup_seconds',
      'how long the start-up warm-up of the hot path took (0 until it has finished)',
    );
  }

  /** Adds a step; steps run one at a time, in the order added. */
  step(name: string, run: WarmUpStep): this {
    this.steps.push({ name, run });
    return this;
  }

  /**
   * A step sending synthetic requests through the app itself (routing,
   * validation, handler, serialisation), each `times` times (1), marked so
   * the kit leaves them out of the request metrics; a status not in
   * `expectStatus` (200) fails it.
   */
  request(
    name: string,
    app: ServiceApp,
    requests: InjectOptions | readonly InjectOptions[],
    { expectStatus = 200, times = 1 }: { expectStatus?: number | readonly number[]; times?: number } = {},
  ): this {
    const list = Array.isArray(requests) ? requests : [requests as InjectOptions];
    const expected: readonly number[] = typeof expectStatus === 'number' ? [expectStatus] : expectStatus;
    return this.step(name, async () => {
      for (const request of list) {
        for (let i = 0; i < times; i++) {
          const response = await app.inject({ ...request, headers: { ...request.headers, ...this.headers } });
          if (!expected.includes(response.statusCode)) {
            throw new Error(
              `${request.method ?? 'GET'} ${request.url} answered ${response.statusCode}, expected ${expected.join(' or ')}: ${response.body.slice(0, 200)}`,
            );
          }
        }
      }
    });
  }

  /** Headers for a warm-up request sent with `app.inject`: the kit leaves it out of the request metrics. */
  get headers(): Record<string, string> {
    return { [WARM_UP_HEADER]: this.token };
  }

  /** True for a request carrying `headers`. */
  marks(headers: IncomingHttpHeaders): boolean {
    return headers[WARM_UP_HEADER] === this.token;
  }

  get done(): boolean {
    return this.phase.kind === 'done';
  }

  /** The readiness check `createServiceApp` adds as `warm-up`. */
  readonly check = async (): Promise<string> => {
    const phase = this.phase;
    switch (phase.kind) {
      case 'waiting':
        throw new Error('the hot path has not been warmed yet');
      case 'running':
        throw new Error(`warming the hot path (${phase.step})`);
      case 'failed': {
        const retry =
          phase.retryInMs === undefined
            ? ''
            : `; it runs again within ${Math.ceil(phase.retryInMs / 1000)} s`;
        throw new Error(`the warm-up failed at ${phase.step}: ${phase.message}${retry}; see the logs`);
      }
      case 'done':
        return `warmed in ${phase.ms} ms`;
    }
  };

  /**
   * Runs the steps (a second call returns the first run); resolves true when
   * all finished, false when one failed (the retries then go on in the
   * background), never rejects.
   */
  run(): Promise<boolean> {
    this.running ??= this.runSteps(this.options.retryMs ?? 1_000);
    return this.running;
  }

  /** No more retries (the service is closing). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private async runSteps(retryMs: number): Promise<boolean> {
    const { logger } = this.options;
    const timeoutMs = this.options.stepTimeoutMs ?? 30_000;
    const started = performance.now();
    const stepsMs: Record<string, number> = {};
    for (const { name, run } of this.steps) {
      this.phase = { kind: 'running', step: name };
      const stepStarted = performance.now();
      try {
        await withTimeout(run(), timeoutMs);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const retryInMs = this.stopped || retryMs <= 0 ? undefined : retryMs;
        this.phase = { kind: 'failed', step: name, message, retryInMs };
        logger.error(
          { step: name, err: message, stepsMs, retryInMs },
          retryInMs === undefined ? 'warm-up failed; the service stays unready' : 'warm-up failed; retrying',
        );
        if (retryInMs !== undefined) {
          const next = Math.min(retryInMs * 2, this.options.maxRetryMs ?? 15_000);
          this.retry = setTimeout(() => void this.runSteps(next), retryInMs);
          this.retry.unref();
        }
        return false;
      }
      stepsMs[name] = Math.round(performance.now() - stepStarted);
    }
    const ms = Math.round(performance.now() - started);
    this.phase = { kind: 'done', ms };
    this.seconds.set(ms / 1000);
    logger.info({ ms, stepsMs }, 'hot path warmed; ready');
    return true;
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no end within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
