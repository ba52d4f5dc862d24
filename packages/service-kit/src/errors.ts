import type { FieldError } from '@mlsys/contracts';

/** Thrown (or returned by the validator) when a request does not match its schema. */
export class RequestValidationError extends Error {
  readonly statusCode = 400;
  constructor(
    readonly part: string,
    readonly fields: FieldError[],
  ) {
    super(fields.map((f) => `${part === 'body' ? '' : `${part}.`}${f.field} ${f.reason}`).join('; '));
    this.name = 'RequestValidationError';
  }
}

/** An error a route throws on purpose: its status, code and message reach the caller as they are. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} was not found`);
export const unavailable = (what: string) => new HttpError(503, 'unavailable', what);
