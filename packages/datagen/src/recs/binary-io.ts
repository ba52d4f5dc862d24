import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';

/**
 * Binary files in this dataset are raw little-endian arrays, the layout numpy
 * reads with `np.fromfile(path, '<f4')`. Typed arrays use the host's byte
 * order, so refuse to run on the (rare) big-endian host instead of writing
 * files nobody can read back.
 */
function assertLittleEndian(): void {
  if (endianness() !== 'LE')
    throw new Error('the recs dataset files are little-endian; this host is big-endian');
}

/** Appends text or bytes to a file through a 1 MiB buffer, so multi-GB outputs stream with flat memory. */
export class BufferedFileWriter {
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  bytesWritten = 0;

  constructor(path: string) {
    assertLittleEndian();
    this.fd = openSync(path, 'w');
  }

  text(chunk: string): void {
    const bytes = Buffer.byteLength(chunk);
    if (bytes > this.buffer.length - this.used) this.flush();
    if (bytes > this.buffer.length) {
      this.bytesWritten += writeSync(this.fd, chunk);
      return;
    }
    this.used += this.buffer.write(chunk, this.used);
  }

  bytes(view: ArrayBufferView): void {
    const source = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    if (source.length > this.buffer.length - this.used) this.flush();
    if (source.length > this.buffer.length) {
      this.bytesWritten += writeSync(this.fd, source);
      return;
    }
    this.buffer.set(source, this.used);
    this.used += source.length;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.used === 0) return;
    this.bytesWritten += writeSync(this.fd, this.buffer.subarray(0, this.used));
    this.used = 0;
  }
}

/** Reads a raw float32 matrix with `columns` columns, checking the size is a whole number of rows. */
export function readFloat32Matrix(path: string, columns: number, expectedRows?: number): Float32Array {
  assertLittleEndian();
  const bytes = readFileSync(path);
  const rowBytes = columns * 4;
  if (bytes.length % rowBytes !== 0) {
    throw new Error(`${path}: ${bytes.length} bytes is not a whole number of ${columns}-float rows`);
  }
  const rows = bytes.length / rowBytes;
  if (expectedRows !== undefined && rows !== expectedRows) {
    throw new Error(`${path}: expected ${expectedRows} rows of ${columns} floats, found ${rows}`);
  }
  return bytes.byteOffset % 4 === 0
    ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)
    : new Float32Array(alignedCopy(bytes));
}

/** A fresh ArrayBuffer holding exactly these bytes (Node may hand out unaligned slices of a shared pool). */
export function alignedCopy(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.length);
  new Uint8Array(out).set(bytes);
  return out;
}
