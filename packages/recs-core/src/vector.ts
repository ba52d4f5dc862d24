/** Small dense-vector helpers; vectors are Float32Array or plain arrays of the manifest's `dim`. */

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** `out += scale * v`. */
export function addScaled(out: Float32Array, v: ArrayLike<number>, scale: number): void {
  for (let i = 0; i < out.length; i++) out[i] = out[i]! + scale * v[i]!;
}

/** Scales `v` to unit length in place; a zero vector stays zero. */
export function normalizeInPlace(v: Float32Array): Float32Array {
  const length = norm(v);
  if (length > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / length;
  return v;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const denominator = norm(a) * norm(b);
  return denominator === 0 ? 0 : dot(a, b) / denominator;
}

/** Row `row` of a row-major matrix, as a view (no copy). */
export function row(matrix: Float32Array, dim: number, index: number): Float32Array {
  return matrix.subarray(index * dim, (index + 1) * dim);
}
