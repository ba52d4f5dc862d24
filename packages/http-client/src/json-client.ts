import { compileSchema, DEADLINE_HEADER, describeErrors, type SchemaValidator } from '@mlsys/contracts';
import type { Static, TSchema } from 'typebox';
import { Pool } from 'undici';
import {
  DeadlineExceededError,
  ServiceCallError,
  ServiceContractError,
  ServiceStatusError,
  ServiceUnreachableError,
} from './errors.js';
import { baseUrlsOf, type Instance, InstanceRotation, type InstanceState, judge } from './instances.js';
import { parseServerTiming, type TimingEntry } from './server-timing.js';

export interface JsonClientOptions {
  /** Names the callee in every error message, e.g. `candidate-gen`. */
  service: string;
  /**
   * `http://host:port`; paths are appended to it. Several instances of the service: an array, or
   * one string with the URLs separated by commas (as an environment variable gives them).
   */
  baseUrl: string | readonly string[];
  /** Keep-alive connections in each instance's pool: the most calls in flight at once without queueing. */
  connections?: number;
  /** How long an instance that refused or broke a call (or answered 503) is passed over (default 1000 ms). */
  instanceCooldownMs?: number;
  /**
   * With several instances: the path that answers 200 when an instance is ready (`/readyz` by
   * default; `null`: none). A failed instance returns to the rotation once it does, probed once
   * per cooldown, rather than when the cooldown ends.
   */
  readyPath?: string | null;
  /** Largest accepted answer; a bigger one is a bug, not something to buffer. */
  maxResponseBytes?: number;
  /**
   * How long a call past its deadline may still finish in the background,
   * keeping its connection, before it is aborted (default 2000 ms).
   */
  lateAnswerGraceMs?: number;
}

export interface CallOptions {
  /**
   * The call fails with DeadlineExceededError when this many ms pass without
   * a complete answer (the request itself is left to finish: see `abandon`).
   */
  deadlineMs: number;
  /** Aborts the call early too, e.g. when the caller's own request is cancelled. */
  signal?: AbortSignal;
}

export interface JsonAnswer<T> {
  status: number;
  body: T;
  /** The callee's own `Server-Timing` metrics: where its time went. */
  serverTiming: TimingEntry[];
  /** Wall time of the call as the caller saw it. */
  elapsedMs: number;
}

/**
 * A typed JSON client for one service: a keep-alive pool per instance (no TCP handshake
 * per call), a deadline per call (a late answer is abandoned, not aborted), and every 2xx
 * body validated against its contract before the caller sees it. Every
 * failure is a ServiceCallError whose message can be shown as a reason.
 *
 * Given several instances, calls go round-robin over those that are up. An instance that
 * refuses a connection, breaks one or answers 503 is passed over for `instanceCooldownMs`, then
 * tried again by the next call that reaches it; a call it refused (not one it may have handled:
 * see `judge`) goes to the next instance within what is left of the same deadline.
 */
export class JsonServiceClient {
  private readonly rotation: InstanceRotation<Pool>;
  private readonly validators = new WeakMap<TSchema, SchemaValidator<TSchema>>();
  private readonly lateAnswerGraceMs: number;
  private readonly cooldownMs: number;
  private abandoned = 0;
  readonly service: string;

  constructor(private readonly options: JsonClientOptions) {
    this.service = options.service;
    this.lateAnswerGraceMs = options.lateAnswerGraceMs ?? 2000;
    this.cooldownMs = options.instanceCooldownMs ?? 1000;
    const readyPath = options.readyPath === undefined ? '/readyz' : options.readyPath;
    const origins = baseUrlsOf(options.baseUrl);
    this.rotation = new InstanceRotation(
      origins.map((origin) => ({
        origin,
        down: false,
        downUntil: 0,
        probing: false,
        pool: new Pool(origin, {
          connections: options.connections ?? 32,
          keepAliveTimeout: 30_000,
          // A stage deadline is tens of ms: a connect that takes longer is already late.
          connect: { timeout: 1_000 },
        }),
      })),
      // One instance is called whatever its state: a probe would learn nothing a call does not.
      readyPath === null || origins.length < 2 ? undefined : (instance) => ready(instance.pool, readyPath),
    );
  }

  /** Each instance's address, and whether calls go to it now or pass it over after a failure. */
  get instances(): InstanceState[] {
    return this.rotation.states(performance.now());
  }

  get<S extends TSchema>(path: string, schema: S, call: CallOptions): Promise<JsonAnswer<Static<S>>> {
    return this.send('GET', path, undefined, schema, call);
  }

  post<S extends TSchema>(
    path: string,
    body: unknown,
    schema: S,
    call: CallOptions,
  ): Promise<JsonAnswer<Static<S>>> {
    return this.send('POST', path, JSON.stringify(body), schema, call);
  }

  /** Calls past their deadline still finishing in the background. */
  get abandonedCalls(): number {
    return this.abandoned;
  }

  async close(): Promise<void> {
    await Promise.all(this.rotation.instances.map((instance) => instance.pool.close()));
  }

  /** One call: to the next instance that is up, and on to the others while they refuse it and time is left. */
  private async send<S extends TSchema>(
    method: 'GET' | 'POST',
    path: string,
    payload: string | undefined,
    schema: S,
    call: CallOptions,
  ): Promise<JsonAnswer<Static<S>>> {
    const started = performance.now();
    let failure: unknown;
    for (const instance of this.rotation.order(started)) {
      const budgetMs = call.deadlineMs - (performance.now() - started);
      if (failure !== undefined && budgetMs < 1) break;
      try {
        const answer = await this.sendTo(instance, method, path, payload, schema, call, budgetMs);
        this.rotation.answered(instance);
        return { ...answer, elapsedMs: performance.now() - started };
      } catch (error) {
        const verdict = judge(error);
        if (verdict.down) this.rotation.failed(instance, performance.now(), this.cooldownMs);
        if (!verdict.retry || call.signal?.aborted) throw error;
        failure = error;
      }
    }
    throw failure;
  }

  /** One request to one instance, given up after `budgetMs` (the error names the call's whole deadline). */
  private async sendTo<S extends TSchema>(
    instance: Instance<Pool>,
    method: 'GET' | 'POST',
    path: string,
    payload: string | undefined,
    schema: S,
    call: CallOptions,
    budgetMs: number,
  ): Promise<Omit<JsonAnswer<Static<S>>, 'elapsedMs'>> {
    // Aborts the exchange itself: on the caller's cancel, or once an abandoned call outlives its grace.
    const controller = new AbortController();
    const cancel = () => controller.abort();
    call.signal?.addEventListener('abort', cancel, { once: true });
    const exchange = this.exchange(instance.pool, method, path, payload, schema, controller.signal, budgetMs);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<typeof LATE>((resolve) => {
      timer = setTimeout(() => resolve(LATE), budgetMs);
    });
    let settled = true;
    try {
      const answer = await Promise.race([exchange, late]);
      if (answer === LATE) {
        settled = false;
        this.abandon(exchange, controller, () => call.signal?.removeEventListener('abort', cancel));
        throw new DeadlineExceededError(this.service, call.deadlineMs);
      }
      return answer;
    } catch (error) {
      if (error instanceof ServiceCallError) throw error;
      if (call.signal?.aborted) {
        throw new ServiceCallError(this.service, `call to ${this.service} was cancelled`, { cause: error });
      }
      throw new ServiceUnreachableError(this.service, error);
    } finally {
      clearTimeout(timer);
      if (settled) call.signal?.removeEventListener('abort', cancel);
    }
  }

  /**
   * A call past its deadline is left to finish in the background instead of
   * being aborted: the callee computes the answer anyway (it cannot see the
   * caller give up), and aborting an HTTP/1.1 request destroys its
   * keep-alive connection, so every late call would cost a new TCP connect
   * exactly when the callee is overloaded. Its answer is read and dropped;
   * after `lateAnswerGraceMs` it is aborted after all, so a hung callee
   * cannot hold connections for ever.
   */
  private abandon(exchange: Promise<unknown>, controller: AbortController, done: () => void): void {
    this.abandoned++;
    const hardStop = setTimeout(() => controller.abort(), this.lateAnswerGraceMs);
    exchange
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(hardStop);
        this.abandoned--;
        done();
      });
  }

  /** One request and its validated 2xx answer; every failure is a ServiceCallError or the transport's error. */
  private async exchange<S extends TSchema>(
    pool: Pool,
    method: 'GET' | 'POST',
    path: string,
    payload: string | undefined,
    schema: S,
    signal: AbortSignal,
    deadlineMs: number,
  ): Promise<Omit<JsonAnswer<Static<S>>, 'elapsedMs'>> {
    const deadline = { [DEADLINE_HEADER]: String(Math.max(1, Math.floor(deadlineMs))) };
    const response = await pool.request({
      method,
      path,
      signal,
      headers:
        payload === undefined
          ? { accept: 'application/json', ...deadline }
          : { 'content-type': 'application/json', accept: 'application/json', ...deadline },
      ...(payload === undefined ? {} : { body: payload }),
    });
    const text = await response.body.text();
    if (this.options.maxResponseBytes !== undefined && text.length > this.options.maxResponseBytes) {
      throw new ServiceContractError(
        this.service,
        `answer of ${text.length} bytes exceeds ${this.options.maxResponseBytes}`,
      );
    }
    const parsed = parseJson(text);
    if (response.statusCode < 200 || response.statusCode >= 300) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ServiceStatusError(
        this.service,
        response.statusCode,
        error?.code,
        error?.message ?? text.slice(0, 200),
      );
    }
    const decoded = this.validator(schema).validate(parsed);
    if (!decoded.ok) throw new ServiceContractError(this.service, describeErrors(decoded.errors));
    return {
      status: response.statusCode,
      body: decoded.value,
      serverTiming: parseServerTiming(response.headers['server-timing']),
    };
  }

  private validator<S extends TSchema>(schema: S): SchemaValidator<S> {
    let validator = this.validators.get(schema);
    if (!validator) {
      validator = compileSchema(schema);
      this.validators.set(schema, validator);
    }
    return validator as SchemaValidator<S>;
  }
}

/** A readiness probe: 200 within a second. */
async function ready(pool: Pool, path: string): Promise<boolean> {
  const response = await pool.request({ method: 'GET', path, signal: AbortSignal.timeout(1000) });
  await response.body.dump();
  return response.statusCode === 200;
}

/** What the deadline timer resolves with: a value no exchange can produce. */
const LATE = Symbol('late');

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
