import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

/** One thing wrong with a value: which field, and why, in words a caller can act on. */
export interface FieldError {
  /** Dotted path of the offending field (`items.3.id`), or `(body)` for the value as a whole. */
  field: string;
  reason: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export interface SchemaValidator<S extends TSchema> {
  readonly schema: S;
  check(value: unknown): value is Static<S>;
  /** Every problem with the value; empty when it is valid. */
  errors(value: unknown): FieldError[];
  /** Validates an already-parsed value. */
  validate(value: unknown): Decoded<Static<S>>;
  /** Parses JSON bytes (a Kafka message value) and validates the result. */
  decodeJson(bytes: Buffer | string | null): Decoded<Static<S>>;
}

function joinPath(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (child !== undefined) parts.push(child);
  return parts.length === 0 ? '(body)' : parts.join('.');
}

interface RawError {
  keyword: string;
  instancePath: string;
  params: object;
  message: string;
}

/** Turns TypeBox's errors into one line per field, dropping the duplicates it reports for the same cause. */
export function toFieldErrors(raw: readonly RawError[]): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  const push = (field: string, reason: string) => {
    const key = `${field}\u0000${reason}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ field, reason });
    }
  };
  for (const error of raw) {
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'required') {
      for (const name of (params.requiredProperties as string[]) ?? [])
        push(joinPath(error.instancePath, name), 'is required');
    } else if (error.keyword === 'additionalProperties') {
      for (const name of (params.additionalProperties as string[]) ?? [])
        push(joinPath(error.instancePath, name), 'is not allowed');
    } else if (error.keyword === 'boolean' && error.message === 'schema is false') {
      // Same cause as the additionalProperties entry, reported on the child path.
      push(joinPath(error.instancePath), 'is not allowed');
    } else {
      push(joinPath(error.instancePath), error.message);
    }
  }
  return out;
}

/** Compiles a schema once; the result validates HTTP bodies and Kafka messages alike. */
export function compileSchema<S extends TSchema>(schema: S): SchemaValidator<S> {
  const compiled = Compile(schema);
  const errors = (value: unknown) => toFieldErrors(compiled.Errors(value) as RawError[]);
  const validate = (value: unknown): Decoded<Static<S>> =>
    compiled.Check(value) ? { ok: true, value: value as Static<S> } : { ok: false, errors: errors(value) };
  return {
    schema,
    check: (value): value is Static<S> => compiled.Check(value),
    errors,
    validate,
    decodeJson(bytes) {
      if (bytes === null) return { ok: false, errors: [{ field: '(body)', reason: 'message has no value' }] };
      let parsed: unknown;
      try {
        parsed = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
      } catch (error) {
        return {
          ok: false,
          errors: [{ field: '(body)', reason: `is not valid JSON: ${(error as Error).message}` }],
        };
      }
      return validate(parsed);
    },
  };
}

/** `amount: must be > 0; cardId: is required` — the reason a dead-letter header or a log line carries. */
export function describeErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.reason}`).join('; ');
}
