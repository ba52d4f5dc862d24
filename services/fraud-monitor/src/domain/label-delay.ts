export const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Log-normal delay from payment to chargeback: what is assumed until enough chargebacks have been read. */
export interface DelayPrior {
  medianMs: number;
  /** Standard deviation of ln(delay). */
  spread: number;
}

export interface DelayOptions {
  prior: DelayPrior;
  /** No chargeback comes later than this after its payment (`LABEL_HORIZON`). */
  horizonMs: number;
  /** Chargebacks a delay day's estimate must rest on for it to be learned rather than taken from the prior. */
  minChargebacks: number;
}

/**
 * Chargebacks counted by the day of their payment (its start, ms) and, in
 * the array, by the whole days they took (the last index: the horizon or later).
 */
export type DelayCounts = ReadonlyMap<number, readonly number[]>;

export interface DelayDistribution {
  source: 'learned' | 'prior';
  /** Chargebacks counted in the payment days read. */
  chargebacks: number;
  learnedUpToMs: number | null;
  /** within[k]: the share of chargebacks that come within k + 1 days of their payment. */
  within: readonly number[];
}

export const paymentDay = (eventTime: number) => Math.floor(eventTime / DAY) * DAY;
const lastDelayDay = (horizonMs: number) => Math.ceil(horizonMs / DAY);
/** Delay days counted per payment day: 0 to the horizon's (which holds the horizon and later). */
export const delayDayCount = (horizonMs: number) => lastDelayDay(horizonMs) + 1;

/** The whole days a chargeback took, in [0, the horizon's day] (a report before its payment counts as 0). */
export function delayDay(chargeback: { eventTime: number; reportedAt: number }, horizonMs: number): number {
  const days = Math.floor((chargeback.reportedAt - chargeback.eventTime) / DAY);
  return Math.min(lastDelayDay(horizonMs), Math.max(0, days));
}

/**
 * The payment days whose delays are read, newest last: the horizon and two
 * days before the label time. Older days add nothing for delays within the
 * horizon that these do not, and their keys expire at wall-clock times, so
 * both stores read exactly this span and agree.
 */
export function delayDaysRead(labelTime: number, horizonMs: number): number[] {
  const days: number[] = [];
  for (let day = paymentDay(labelTime - horizonMs - 2 * DAY); day <= labelTime; day += DAY) days.push(day);
  return days;
}

/**
 * The delay distribution coverage is computed from. Learning it from the
 * chargebacks that arrived is biased when done naively: at any time, recent
 * payments can only have shown short delays (the data is right-truncated),
 * so a young stream's observed delays are all short and a naive CDF says
 * labels are complete long before they are. Each delay day's share is
 * therefore estimated only from the payment days old enough to have shown
 * all of it: P(delay day = k | delay day <= k) from those days (a
 * reverse-time product-limit, Lynden-Bell's estimator for right-truncated
 * data), chained down from the longest delay day that rests on at least
 * `minChargebacks` chargebacks. What comes after that day cannot be seen in
 * the data yet, so its share comes from the prior (log-normal, cut at the
 * horizon); with too few chargebacks, the prior is used alone.
 */
export function estimateDelay(
  counts: DelayCounts,
  labelTime: number | null,
  options: DelayOptions,
): DelayDistribution {
  const last = lastDelayDay(options.horizonMs);
  const within = priorWithin(options.prior, options.horizonMs);
  if (labelTime === null) return { source: 'prior', chargebacks: 0, learnedUpToMs: null, within };
  const arrived = new Array<number>(last).fill(0);
  const atRisk = new Array<number>(last).fill(0);
  let chargebacks = 0;
  for (const day of delayDaysRead(labelTime, options.horizonMs)) {
    const byDelay = counts.get(day);
    if (!byDelay) continue;
    for (const n of byDelay) chargebacks += n;
    // Delay day k is complete for every payment of this day once labelTime >= day + (k + 2) days.
    const complete = Math.min(last, Math.floor((labelTime - day) / DAY) - 1);
    let upToK = 0;
    for (let k = 0; k < complete; k++) {
      upToK += byDelay[k] ?? 0;
      arrived[k]! += byDelay[k] ?? 0;
      atRisk[k]! += upToK;
    }
  }
  let top = last - 1;
  while (top >= 0 && atRisk[top]! < options.minChargebacks) top -= 1;
  if (top < 0) return { source: 'prior', chargebacks, learnedUpToMs: null, within };
  for (let k = top - 1; k >= 0; k--) {
    const reverseHazard = atRisk[k + 1]! === 0 ? 0 : arrived[k + 1]! / atRisk[k + 1]!;
    within[k] = within[k + 1]! * (1 - reverseHazard);
  }
  return { source: 'learned', chargebacks, learnedUpToMs: (top + 1) * DAY, within };
}

/** The share of a payment's eventual chargebacks expected within `ageMs` (linear within a day). */
export function shareBy(distribution: DelayDistribution, ageMs: number): number {
  if (ageMs <= 0) return 0;
  const { within } = distribution;
  const k = Math.floor(ageMs / DAY);
  if (k >= within.length) return 1;
  const lower = k === 0 ? 0 : within[k - 1]!;
  return lower + (within[k]! - lower) * ((ageMs - k * DAY) / DAY);
}

/** The delay by which a share `q` of the chargebacks has come. */
export function delayQuantile(distribution: DelayDistribution, q: number): number {
  const { within } = distribution;
  const k = within.findIndex((share) => share >= q);
  if (k < 0) return within.length * DAY;
  const lower = k === 0 ? 0 : within[k - 1]!;
  return (k + (q - lower) / (within[k]! - lower)) * DAY;
}

/**
 * Label coverage of one decision: the share of its eventual chargebacks
 * expected by the label time (the latest chargeback report read), taken at
 * the middle of its event-time hour. The Redis store tallies whole hours,
 * so both stores weigh a decision the same way; against a delay
 * distribution of whole days the half hour does not matter. Before any
 * chargeback has been read, nothing is covered.
 */
export function coverageAt(
  distribution: DelayDistribution,
  labelTime: number | null,
): (eventTime: number) => number {
  if (labelTime === null) return () => 0;
  const byHour = new Map<number, number>();
  return (eventTime) => {
    const hour = Math.floor(eventTime / HOUR) * HOUR;
    let share = byHour.get(hour);
    if (share === undefined) {
      share = shareBy(distribution, labelTime - hour - HOUR / 2);
      byHour.set(hour, share);
    }
    return share;
  };
}

/** within[k] under the prior: log-normal, cut at the horizon (nothing comes later). */
function priorWithin(prior: DelayPrior, horizonMs: number): number[] {
  const cdf = (ms: number) => normalCdf((Math.log(ms) - Math.log(prior.medianMs)) / prior.spread);
  const atHorizon = cdf(horizonMs);
  return Array.from({ length: lastDelayDay(horizonMs) + 1 }, (_, k) => {
    const ms = (k + 1) * DAY;
    return ms >= horizonMs ? 1 : Math.min(1, cdf(ms) / atHorizon);
  });
}

/** Standard normal CDF (Abramowitz and Stegun 7.1.26 for erf, error under 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
