/**
 * Why a call to another service gave no usable answer. Callers with a
 * fallback only need `message` (it becomes the `degraded` reason a client
 * sees); the subclasses let them tell "late" from "down" from "refused".
 */
export class ServiceCallError extends Error {
  constructor(
    readonly service: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServiceCallError';
  }
}

/** The call's deadline passed before the answer arrived (the request was left to finish in the background). */
export class DeadlineExceededError extends ServiceCallError {
  constructor(
    service: string,
    readonly deadlineMs: number,
  ) {
    super(service, `${service} did not answer within ${deadlineMs} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/** No connection, or it broke before an answer (refused, reset, closed). */
export class ServiceUnreachableError extends ServiceCallError {
  constructor(service: string, cause: unknown) {
    super(service, `${service} is unreachable (${(cause as Error).message ?? String(cause)})`, { cause });
    this.name = 'ServiceUnreachableError';
  }
}

/** The service answered with a non-2xx status; `code` is the error body's code when it had one. */
export class ServiceStatusError extends ServiceCallError {
  constructor(
    service: string,
    readonly status: number,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(service, `${service} answered ${status}${code ? ` ${code}` : ''}: ${detail}`);
    this.name = 'ServiceStatusError';
  }
}

/** A 2xx answer whose body does not match its contract: a version skew between services. */
export class ServiceContractError extends ServiceCallError {
  constructor(service: string, detail: string) {
    super(service, `${service} answered a body that breaks its contract: ${detail}`);
    this.name = 'ServiceContractError';
  }
}
