import type { Random } from '../random.js';

/** Writes `base + spread * z` (z ~ N(0, I/dim), so the noise has norm about `spread`), normalised, into `out` at row `row`. */
export function writeNoisyUnitVector(
  random: Random,
  base: Float32Array | null,
  baseRow: number,
  spread: number,
  dim: number,
  out: Float32Array,
  row: number,
): void {
  const scale = spread / Math.sqrt(dim);
  const offset = row * dim;
  const baseOffset = baseRow * dim;
  let norm = 0;
  for (let k = 0; k < dim; k++) {
    const value = (base ? base[baseOffset + k]! : 0) + scale * random.normal();
    out[offset + k] = value;
    norm += value * value;
  }
  const inverse = 1 / Math.sqrt(norm);
  for (let k = 0; k < dim; k++) out[offset + k] = out[offset + k]! * inverse;
}

/** Dot product of row `rowA` of `a` with row `rowB` of `b`. */
export function rowDot(a: Float32Array, rowA: number, b: Float32Array, rowB: number, dim: number): number {
  const oa = rowA * dim;
  const ob = rowB * dim;
  let sum = 0;
  for (let k = 0; k < dim; k++) sum += a[oa + k]! * b[ob + k]!;
  return sum;
}
