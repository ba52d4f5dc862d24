// The comparison as the console prints it: one line per design and rate,
// predicted / measured / ratio for p95 and p99, and the fallback shares.
import { BAND } from './compare.js';
import type { DesignCheck } from './design-check.js';

const cell = (value: number | null | undefined, width: number, digits = 1) =>
  (value === null || value === undefined ? '-' : value.toFixed(digits)).padStart(width);
const mark = (judged: boolean, inBand: boolean) => (judged ? (inBand ? ' ' : '*') : ' ');

export function renderComparison(designs: DesignCheck[]): string {
  const lines = [
    `capacity model vs measured  (* = judged and outside ${BAND.low}-${BAND.high}; rows past 80 % of capacity are reported, not judged)`,
    `  ${'design'.padEnd(11)} ${'rate'.padStart(5)} ${'of cap'.padStart(6)}   ${'p95 pred'.padStart(8)} ${'meas'.padStart(7)} ${'ratio'.padStart(6)}   ${'p99 pred'.padStart(8)} ${'meas'.padStart(7)} ${'ratio'.padStart(6)}   ${'share pred'.padStart(10)} ${'meas'.padStart(6)}`,
  ];
  for (const d of designs) {
    if (d.status !== 'compared') {
      lines.push(`  ${d.design.padEnd(11)} not compared: ${d.why}`);
      continue;
    }
    for (const r of d.rows) {
      const share = (v: number | null | undefined) => cell(v === null || v === undefined ? v : v * 100, 5);
      lines.push(
        `  ${d.design.padEnd(11)} ${String(r.rate).padStart(5)} ${cell(r.capacity_fraction, 6, 2)}${r.calibration_row ? 'c' : ' '}  ` +
          `${cell(r.predicted?.p95_ms, 8)} ${cell(r.measured.p95_ms, 7)} ${cell(r.ratio.p95, 6, 2)}${mark(r.judged, r.in_band.p95)}  ` +
          `${cell(r.predicted?.p99_ms, 8)} ${cell(r.measured.p99_ms, 7)} ${cell(r.ratio.p99, 6, 2)}${mark(r.judged, r.in_band.p99)}  ` +
          `${share(r.predicted?.share)} % ${share(r.measured.share)} %`,
      );
    }
  }
  lines.push('  (c = calibration row: the model was fitted there; ms, shares in %)');
  return lines.join('\n');
}
