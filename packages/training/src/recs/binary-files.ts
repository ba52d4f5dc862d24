import { readFileSync, writeFileSync } from 'node:fs';

/** Writes a typed array as raw little-endian bytes (numpy reads it with np.fromfile). */
export function writeTypedArray(
  path: string,
  values: Float32Array | Float64Array | Int32Array | Uint32Array,
): void {
  writeFileSync(path, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

function alignedBytes(path: string): ArrayBuffer {
  const bytes = readFileSync(path);
  const out = new ArrayBuffer(bytes.length);
  new Uint8Array(out).set(bytes);
  return out;
}

export const readFloat64File = (path: string) => new Float64Array(alignedBytes(path));
export const readInt32File = (path: string) => new Int32Array(alignedBytes(path));
