import { ServiceStatusError, ServiceUnreachableError } from './errors.js';

/** One instance of a service, and whether calls go to it. */
export interface Instance<P> {
  readonly origin: string;
  readonly pool: P;
  /** Failed a call: passed over until a readiness probe (or, without one, the cooldown) says it is back. */
  down: boolean;
  /** `performance.now()` before which a down instance is not probed (nor, without a probe, called). */
  downUntil: number;
  /** A readiness probe of it is in flight. */
  probing: boolean;
}

/** What a caller can see of an instance: its address and whether calls go to it now. */
export interface InstanceState {
  url: string;
  up: boolean;
}

/**
 * A service's base URLs: one, several (an array), or several in one string separated by commas,
 * as an environment variable gives them. Each must be an http(s) origin; paths are the caller's.
 */
export function baseUrlsOf(baseUrl: string | readonly string[]): string[] {
  const urls = (typeof baseUrl === 'string' ? baseUrl.split(',') : [...baseUrl])
    .map((url) => url.trim())
    .filter((url) => url !== '');
  if (urls.length === 0) throw new Error('a service client needs at least one base URL');
  return urls.map((url) => new URL(url).origin);
}

/**
 * The order a call tries a service's instances in: round-robin from the cursor, the instances
 * that are up first, so a call goes to a failed instance only when every other has failed too.
 * Each instance is tried at most once per call. A failed instance comes back when `probe` (its
 * readiness, asked once per cooldown) says so: a restarted process listens before it has loaded
 * and warmed what it serves, and calls sent to it then would only run late. Without a probe,
 * the cooldown's end brings it back and the next call tests it.
 */
export class InstanceRotation<P> {
  private cursor = 0;

  constructor(
    readonly instances: readonly Instance<P>[],
    private readonly probe?: (instance: Instance<P>) => Promise<boolean>,
  ) {}

  order(now: number): Instance<P>[] {
    const count = this.instances.length;
    const start = this.cursor;
    this.cursor = (this.cursor + 1) % count;
    const rotated = Array.from({ length: count }, (_, i) => this.instances[(start + i) % count]!);
    for (const instance of rotated) this.recover(instance, now);
    const up = (i: Instance<P>) => !i.down || (this.probe === undefined && i.downUntil <= now);
    return [...rotated.filter(up), ...rotated.filter((i) => !up(i))];
  }

  /** Marks an instance down after a failed call, until `cooldownMs` has passed and it proves ready. */
  failed(instance: Instance<P>, now: number, cooldownMs: number): void {
    instance.down = true;
    instance.downUntil = now + cooldownMs;
    this.cooldownMs = cooldownMs;
  }

  /** An answered call: the instance is up. */
  answered(instance: Instance<P>): void {
    instance.down = false;
    instance.downUntil = 0;
  }

  states(now: number): InstanceState[] {
    return this.instances.map((i) => ({
      url: i.origin,
      up: !i.down || (this.probe === undefined && i.downUntil <= now),
    }));
  }

  private cooldownMs = 1000;

  private recover(instance: Instance<P>, now: number): void {
    if (!instance.down || this.probe === undefined || instance.probing || instance.downUntil > now) return;
    instance.probing = true;
    this.probe(instance)
      .catch(() => false)
      .then((ready) => {
        instance.probing = false;
        if (ready) this.answered(instance);
        else instance.downUntil = performance.now() + this.cooldownMs;
      });
  }
}

/** Codes of a connection that could not be made: the request never reached the instance. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * How a failed call reflects on its instance. `down`: pass the instance over for a while (no
 * connection, a broken one, or a 503: stopping, or not ready). `retry`: the call may go to the
 * next instance, because the request certainly was not handled: the connection was never made,
 * or the instance answered 503. A request that was sent and then lost its connection is not
 * retried (it may have been handled: the callee's side effects are its own business), nor is a
 * late one (a second instance would get the same load, with less time).
 */
export function judge(error: unknown): { down: boolean; retry: boolean } {
  if (error instanceof ServiceStatusError && error.status === 503) return { down: true, retry: true };
  if (error instanceof ServiceUnreachableError) {
    const code = (error.cause as { code?: string } | undefined)?.code;
    return { down: true, retry: code !== undefined && NOT_CONNECTED.has(code) };
  }
  return { down: false, retry: false };
}
