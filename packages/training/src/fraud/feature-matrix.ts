import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * The replayed training set on disk, `<data>/features/`:
 * - features.f32   float32, row-major, rows x featureNames.length: exactly the
 *                  float32 values the ONNX model receives online (a CSV would
 *                  round them, and parsing 100M numbers is the slowest part of training)
 * - rows.csv       one line per row: transactionId,eventTime,day,card,terminal,isFraud,scenario
 *                  (card and terminal as dense integers)
 * - reported.csv   row,reportedAt for each row that was charged back
 * - features.json  this description (names, counts, scenario codes)
 */
export const FEATURE_FILES = {
  matrix: 'features.f32',
  rows: 'rows.csv',
  reported: 'reported.csv',
  description: 'features.json',
} as const;

export interface FeatureMatrixDescription {
  featureSpecVersion: string;
  featureNames: string[];
  rows: number;
  dtype: 'float32';
  layout: 'row-major';
  /** `scenario` column code i > 0 is scenarios[i - 1]; 0 is a legitimate payment. */
  scenarios: string[];
  /** ms since the epoch of day 0's midnight (UTC). */
  startTime: number;
  chargebacks: { applied: number; duplicate: number; unknownTransaction: number };
  /** Replay speed, transactions per second, parsing and writing included. */
  replayTxPerSecond: number;
}

/** Appends float32 rows to a file through a fixed buffer of `rowsPerFlush` rows. */
export class MatrixWriter {
  private readonly fd: number;
  private readonly buffer: Float32Array;
  private filled = 0;
  rows = 0;

  constructor(
    path: string,
    private readonly columns: number,
    private readonly rowsPerFlush = 8_192,
  ) {
    this.fd = openSync(path, 'w');
    this.buffer = new Float32Array(columns * rowsPerFlush);
  }

  append(row: ArrayLike<number>): void {
    this.buffer.set(row, this.filled * this.columns);
    this.filled += 1;
    this.rows += 1;
    if (this.filled === this.rowsPerFlush) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.filled === 0) return;
    const bytes = new Uint8Array(this.buffer.buffer, 0, this.filled * this.columns * 4);
    writeSync(this.fd, bytes);
    this.filled = 0;
  }
}
