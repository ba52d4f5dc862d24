import { env, type VarSpec } from '@mlsys/config';

/**
 * Scenario parameters (`--param users=100000`) are declared with the same
 * specs the services use for their environment, so a wrong value fails
 * before the run with the parameter's name and what it expects.
 */
export const param = {
  ...env,
  /** A decimal number within [min, max]. */
  number: (options: {
    description: string;
    default?: number;
    min?: number;
    max?: number;
  }): VarSpec<number> => {
    const parse = (raw: string) => {
      const value = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(value)) throw new Error(`must be a number, got "${raw}"`);
      if (options.min !== undefined && value < options.min)
        throw new Error(`must be >= ${options.min}, got ${value}`);
      if (options.max !== undefined && value > options.max)
        throw new Error(`must be <= ${options.max}, got ${value}`);
      return value;
    };
    return options.default === undefined
      ? { description: options.description, parse }
      : { description: options.description, fallback: options.default, parse };
  },
  /** A template with one `{n}` placeholder, e.g. `u{n}` for user ids. */
  idPattern: (options: { description: string; default: string }): VarSpec<string> => ({
    description: options.description,
    fallback: options.default,
    parse: (raw) => {
      if (!raw.includes('{n}')) throw new Error(`must contain {n} where the number goes, got "${raw}"`);
      return raw;
    },
  }),
};

/** Fills an id pattern such as `u{n}`. */
export function formatId(pattern: string, n: number): string {
  return pattern.replace('{n}', String(n));
}
