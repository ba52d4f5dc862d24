import Type, { type Static } from 'typebox';

/** The one error body every service answers with (4xx and 5xx alike). */
export const ErrorBody = Type.Object({
  error: Type.Object({
    /** Stable machine-readable code, e.g. `invalid_request`, `payload_too_large`. */
    code: Type.String(),
    message: Type.String(),
    /** For `invalid_request`: one entry per offending field. */
    fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), reason: Type.String() }))),
  }),
});
export type ErrorBody = Static<typeof ErrorBody>;

/**
 * The request header a service-to-service call carries its deadline in: whole ms the caller
 * waits from when it sent the request (as gRPC's grpc-timeout), so the callee can answer
 * "not in time" itself instead of working on past a caller that has left.
 */
export const DEADLINE_HEADER = 'x-deadline-ms';

/**
 * The last instant a JavaScript `Date` can hold (ms since the epoch): the bound of every timestamp
 * in the contracts. Past it a value is no time at all, and downstream code that turns it into a
 * date or a Kafka record timestamp (a BigInt of its decimal form) would fail with a 500.
 */
export const LAST_DATE_MS = 8.64e15;

/** The header as a route declares it (OpenAPI shows it; a value that is not a positive number is ignored). */
export const DeadlineHeaders = Type.Object({
  [DEADLINE_HEADER]: Type.Optional(
    Type.String({
      description:
        "the caller's time left for this call, in ms: past it the callee answers 'not in time' itself instead of working on",
      examples: ['38'],
    }),
  ),
});

export const DependencyCheck = Type.Object({
  name: Type.String(),
  ok: Type.Boolean(),
  detail: Type.Optional(Type.String()),
});
export type DependencyCheck = Static<typeof DependencyCheck>;

/** `/readyz`: every dependency checked, plus the versions of any model or index the service loaded. */
export const Readiness = Type.Object({
  ready: Type.Boolean(),
  service: Type.String(),
  version: Type.String(),
  checks: Type.Array(DependencyCheck),
  artifacts: Type.Optional(Type.Record(Type.String(), Type.String())),
});
export type Readiness = Static<typeof Readiness>;

/** Opaque identifier used for ids that travel through Kafka keys and Redis keys. */
export const Identifier = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$', description });
