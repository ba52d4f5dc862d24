// Predicted against measured, one bench row at a time, and the summary the
// goal is judged on (issue 14): every ratio predicted / measured of p95 and
// p99 within 0.8-1.25 up to 80 % of measured capacity. Pure arithmetic on
// numbers already read; the rows come from ./recs.ts and ./fraud.ts.
//
// The keys are snake_case because these objects go into a results file as
// they are (the results contract's style).

/** The band a ratio predicted / measured must fall in (inclusive). */
export const BAND = { low: 0.8, high: 1.25 } as const;
/** Rows up to this fraction of measured capacity are judged; the ones above are reported only. */
export const JUDGED_UP_TO = 0.8;

export interface Observed {
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  /** Share of answers that fell back: degraded (recs) or rules-only (fraud). */
  share: number;
}

export interface RowInput {
  rate: number;
  /** FILE#PATH of the bench row the measured figures come from. */
  measuredFrom: string;
  /** The row the model's unloaded latency was fitted to: its comparison is in sample. */
  calibration: boolean;
  /** null when the model could not predict (an input not measured). */
  predicted: Observed | null;
  measured: Observed;
  /** Figures that explain a miss (modelled utilisation, measured cores); null when unknown. */
  diagnostics: Record<string, number | null>;
}

type Percentile = 'p50' | 'p95' | 'p99';
type Ratios = Record<Percentile | 'share', number | null>;

export interface ComparedRow {
  rate: number;
  measured_from: string;
  /** rate / measured capacity; null when no row was below saturation. */
  capacity_fraction: number | null;
  /** Up to JUDGED_UP_TO of measured capacity: counts toward the goal. */
  judged: boolean;
  calibration_row: boolean;
  predicted: Observed | null;
  measured: Observed;
  ratio: Ratios;
  /** predicted share - measured share (a ratio of two small shares says little). */
  share_difference: number | null;
  in_band: { p95: boolean; p99: boolean };
  diagnostics: Record<string, number | null>;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/**
 * predicted / measured to three decimals; null when either is missing, not
 * finite, or the measured value is zero (no ratio exists).
 */
export function ratio(predicted: number | null | undefined, measured: number): number | null {
  if (predicted === null || predicted === undefined || !Number.isFinite(predicted)) return null;
  if (!(measured > 0)) return null;
  return round(predicted / measured, 3);
}

/** Within BAND, inclusive; a missing ratio is not. */
export const inBand = (r: number | null): boolean => r !== null && r >= BAND.low && r <= BAND.high;

/**
 * The highest rate whose share of fallbacks is at most `maxFallback`: the
 * rule the capacity model already uses to pick the rows it fits. null when
 * no row qualifies.
 */
export function measuredCapacity(
  rows: ReadonlyArray<{ rate: number; fallbackShare: number }>,
  maxFallback: number,
): number | null {
  const held = rows.filter((r) => r.fallbackShare <= maxFallback).map((r) => r.rate);
  return held.length > 0 ? Math.max(...held) : null;
}

const roundObserved = (o: Observed): Observed => ({
  p50_ms: round(o.p50_ms, 2),
  p95_ms: round(o.p95_ms, 2),
  p99_ms: round(o.p99_ms, 2),
  share: round(o.share, 4),
});

/** A non-finite prediction (a queue past saturation) is kept out of the file: JSON has no Infinity. */
const finiteOr = (o: Observed | null): Observed | null =>
  o && Object.values(o).every(Number.isFinite) ? roundObserved(o) : null;

export function compareRow(input: RowInput, capacityRate: number | null): ComparedRow {
  const predicted = finiteOr(input.predicted);
  const measured = roundObserved(input.measured);
  const fraction = capacityRate === null ? null : round(input.rate / capacityRate, 3);
  const ratios: Ratios = {
    p50: ratio(predicted?.p50_ms, measured.p50_ms),
    p95: ratio(predicted?.p95_ms, measured.p95_ms),
    p99: ratio(predicted?.p99_ms, measured.p99_ms),
    share: ratio(predicted?.share, measured.share),
  };
  return {
    rate: input.rate,
    measured_from: input.measuredFrom,
    capacity_fraction: fraction,
    judged: fraction !== null && fraction <= JUDGED_UP_TO,
    calibration_row: input.calibration,
    predicted,
    measured,
    ratio: ratios,
    share_difference: predicted ? round(predicted.share - measured.share, 4) : null,
    in_band: { p95: inBand(ratios.p95), p99: inBand(ratios.p99) },
    diagnostics: input.diagnostics,
  };
}

export interface Tally {
  /** p95 and p99 ratios of the judged rows (two per row). */
  ratios_judged: number;
  ratios_in_band: number;
  /** ratios_in_band / ratios_judged; null when nothing is judged. */
  share_in_band: number | null;
}

export interface Miss {
  design: string;
  rate: number;
  percentile: 'p95' | 'p99';
  /** null when the model gave no prediction. */
  ratio: number | null;
  calibration_row: boolean;
}

export interface Summary {
  all: Tally;
  /** The same without the calibration rows, whose unloaded latency the model was fitted to. */
  outOfSample: Tally;
  /** The judged ratio farthest from 1 (by |ln ratio|; a missing one counts as farthest). */
  worst: Miss | null;
  /** Every judged ratio outside the band, by design and rate. */
  misses: Miss[];
}

export function tally(rows: ReadonlyArray<ComparedRow>): Tally {
  const judged = rows.filter((r) => r.judged);
  const ratios_judged = judged.length * 2;
  const ratios_in_band = judged.reduce((n, r) => n + Number(r.in_band.p95) + Number(r.in_band.p99), 0);
  return {
    ratios_judged,
    ratios_in_band,
    share_in_band: ratios_judged === 0 ? null : round(ratios_in_band / ratios_judged, 3),
  };
}

const distance = (r: number | null) => (r === null ? Number.POSITIVE_INFINITY : Math.abs(Math.log(r)));

export function summarise(
  designs: ReadonlyArray<{ design: string; rows: ReadonlyArray<ComparedRow> }>,
): Summary {
  const rows = designs.flatMap((d) => d.rows);
  const judged = designs.flatMap((d) =>
    d.rows
      .filter((r) => r.judged)
      .flatMap((r) =>
        (['p95', 'p99'] as const).map(
          (percentile): Miss => ({
            design: d.design,
            rate: r.rate,
            percentile,
            ratio: r.ratio[percentile],
            calibration_row: r.calibration_row,
          }),
        ),
      ),
  );
  const worst = judged.reduce<Miss | null>(
    (w, m) => (w === null || distance(m.ratio) > distance(w.ratio) ? m : w),
    null,
  );
  return {
    all: tally(rows),
    outOfSample: tally(rows.filter((r) => !r.calibration_row)),
    worst,
    misses: judged.filter((m) => !inBand(m.ratio)),
  };
}
