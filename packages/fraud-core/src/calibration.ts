/**
 * Isotonic calibration as a piecewise-linear map, exactly what scikit-learn's
 * `IsotonicRegression.predict` does with `out_of_bounds="clip"`: linear
 * between the fitted points, flat beyond the ends. The model's raw
 * probability goes in, a probability that matches observed fraud rates comes out.
 */
export interface IsotonicCalibration {
  method: 'isotonic';
  /** Raw scores, ascending. */
  x: number[];
  /** Calibrated probabilities at those scores, non-decreasing. */
  y: number[];
}

export function calibrate(calibration: IsotonicCalibration, raw: number): number {
  const { x, y } = calibration;
  const last = x.length - 1;
  if (raw <= x[0]!) return y[0]!;
  if (raw >= x[last]!) return y[last]!;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= raw) lo = mid;
    else hi = mid;
  }
  const x0 = x[lo]!;
  const x1 = x[hi]!;
  const y0 = y[lo]!;
  return x1 === x0 ? y0 : y0 + ((raw - x0) / (x1 - x0)) * (y[hi]! - y0);
}
