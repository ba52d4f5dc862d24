// A figure is a number that knows where it came from. Every number on a
// sheet is one: read from a results file (`measured`), computed from other
// figures (`model`), a setting, target or price (`given`), or absent because
// nothing measured it (`not measured`), in which case its value is null and
// everything computed from it is not measured either. The combinator `model`
// does that propagation, so no figure can quietly fall back to a typed-in
// number.

export type Source =
  /** One value of a committed results file, as `FILE#PATH` (the docs check's syntax). */
  | { kind: 'measured'; ref: string }
  /** Computed: the formula in words and the figures it used. */
  | { kind: 'model'; formula: string; inputs: Source[] }
  /** A setting, a target, a price or a structural fact of the code: not a measurement. */
  | { kind: 'given'; note: string }
  /** Nothing measured it; `missing` says what would. */
  | { kind: 'not measured'; missing: string };

export interface Figure {
  /** null exactly when the source is `not measured`. */
  value: number | null;
  unit: string;
  source: Source;
}

export const measured = (value: number, unit: string, ref: string): Figure => ({
  value,
  unit,
  source: { kind: 'measured', ref },
});

export const given = (value: number, unit: string, note: string): Figure => ({
  value,
  unit,
  source: { kind: 'given', note },
});

export const notMeasured = (unit: string, missing: string): Figure => ({
  value: null,
  unit,
  source: { kind: 'not measured', missing },
});

/**
 * A figure computed from others. When any input is not measured the result
 * is not measured too, naming what was missing; otherwise `compute` gets the
 * inputs' values in order.
 */
export function model(
  unit: string,
  formula: string,
  inputs: Figure[],
  compute: (...values: number[]) => number,
): Figure {
  const missing = inputs.filter((f) => f.value === null).map((f) => missingOf(f.source));
  if (missing.length > 0) return notMeasured(unit, [...new Set(missing.flat())].join('; '));
  const value = compute(...inputs.map((f) => f.value as number));
  return { value, unit, source: { kind: 'model', formula, inputs: inputs.map((f) => f.source) } };
}

function missingOf(source: Source): string[] {
  if (source.kind === 'not measured') return [source.missing];
  if (source.kind === 'model') return source.inputs.flatMap(missingOf);
  return [];
}

/** Every results reference and given a source rests on, deduplicated, in order of first use. */
export function basisOf(source: Source): string[] {
  const out = new Set<string>();
  const walk = (s: Source) => {
    if (s.kind === 'measured') out.add(s.ref);
    else if (s.kind === 'given') out.add(`given: ${s.note}`);
    else if (s.kind === 'not measured') out.add(`not measured: ${s.missing}`);
    else for (const input of s.inputs) walk(input);
  };
  walk(source);
  return [...out];
}

/** The source in one line: the ref, "given: ...", "not measured: ...", or "model: formula". */
export function describeSource(source: Source): string {
  switch (source.kind) {
    case 'measured':
      return source.ref;
    case 'given':
      return `given: ${source.note}`;
    case 'not measured':
      return `not measured: ${source.missing}`;
    case 'model':
      return `model: ${source.formula}`;
  }
}

/** A flat, JSON-friendly copy of a source: a model lists the refs and givens it rests on. */
export function flatSource(source: Source): Record<string, unknown> {
  if (source.kind !== 'model') return { ...source };
  return { kind: 'model', formula: source.formula, inputs: basisOf(source) };
}
