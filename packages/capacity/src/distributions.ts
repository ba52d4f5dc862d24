// Latency shapes fitted to the two or three figures a results file keeps
// (a mean and a p95, or a p50 and a p99), and the seeded sampling that adds
// stages in series. A lognormal is the shape: positive, right-skewed, fixed
// by two figures, and a fair description of service times on a busy host;
// it is an assumption, and its p99 from a mean and a p95 is an
// extrapolation.

/** ln X ~ N(mu, sigma²). */
export interface Lognormal {
  mu: number;
  sigma: number;
}

/** Φ⁻¹(p) by Acklam's rational approximation (relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

const Z95 = normalQuantile(0.95);
const Z99 = normalQuantile(0.99);

/**
 * The lognormal with this mean and p95: ln(p95/mean) = z·σ - σ²/2 with
 * z = Φ⁻¹(0.95), the smaller root. A p95 at or below the mean gives σ = 0
 * (a constant); a p95 too far above it for any lognormal caps σ at z.
 */
export function lognormalFromMeanP95(mean: number, p95: number): Lognormal {
  const gap = Math.log(p95 / mean);
  let sigma = 0;
  if (gap > 0) sigma = gap >= (Z95 * Z95) / 2 ? Z95 : Z95 - Math.sqrt(Z95 * Z95 - 2 * gap);
  return { mu: Math.log(mean) - (sigma * sigma) / 2, sigma };
}

/** The lognormal with this median and p99. */
export function lognormalFromP50P99(p50: number, p99: number): Lognormal {
  return { mu: Math.log(p50), sigma: Math.max(0, Math.log(p99 / p50) / Z99) };
}

export const lognormalQuantile = (d: Lognormal, p: number): number =>
  Math.exp(d.mu + d.sigma * normalQuantile(p));
export const lognormalMean = (d: Lognormal): number => Math.exp(d.mu + (d.sigma * d.sigma) / 2);
/** Squared coefficient of variation, Var / mean². */
export const lognormalCv2 = (d: Lognormal): number => Math.expm1(d.sigma * d.sigma);

/** A small seeded generator (mulberry32): the same sheet every run. Returns u in (0, 1). */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/** Nearest-rank percentile of an already sorted array (as @mlsys/results does it). */
export function percentileOf(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}
