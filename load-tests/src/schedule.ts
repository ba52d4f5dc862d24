import { parseDuration } from './duration.js';
import { DEFAULT_TIME_UNIT, type ExecutorOptions } from './options.js';

/** One stretch of the arrival rate, which changes linearly from `fromPerMs` to `toPerMs`. */
interface RateSegment {
  durationMs: number;
  fromPerMs: number;
  toPerMs: number;
}

function segments(entry: ExecutorOptions, field: string): RateSegment[] {
  const unitMs = parseDuration(entry.timeUnit ?? DEFAULT_TIME_UNIT, `${field}.timeUnit`);
  if (unitMs <= 0) throw new Error(`${field}.timeUnit must be longer than 0`);
  const perMs = (rate: number, name: string) => {
    if (!Number.isFinite(rate) || rate < 0)
      throw new Error(`${field}.${name} must be a rate >= 0, got ${rate}`);
    return rate / unitMs;
  };
  if (entry.executor === 'constant-arrival-rate') {
    const rate = perMs(entry.rate, 'rate');
    return [
      { durationMs: parseDuration(entry.duration, `${field}.duration`), fromPerMs: rate, toPerMs: rate },
    ];
  }
  if (entry.stages.length === 0)
    throw new Error(`${field}.stages is empty; give at least one { target, duration }`);
  let from = perMs(entry.startRate ?? 0, 'startRate');
  return entry.stages.map((stage, i) => {
    const to = perMs(stage.target, `stages[${i}].target`);
    const segment = {
      durationMs: parseDuration(stage.duration, `${field}.stages[${i}].duration`),
      fromPerMs: from,
      toPerMs: to,
    };
    from = to;
    return segment;
  });
}

/** How long the entry's schedule runs. */
export function scheduleDurationMs(entry: ExecutorOptions, field = 'scenario'): number {
  return segments(entry, field).reduce((sum, s) => sum + s.durationMs, 0);
}

/** The highest rate (per `timeUnit`, as written) the entry reaches. */
export function peakRate(entry: ExecutorOptions): number {
  if (entry.executor === 'constant-arrival-rate') return entry.rate;
  return Math.max(entry.startRate ?? 0, ...entry.stages.map((s) => s.target));
}

/** How many iterations the schedule starts in all (the area under the rate curve). */
export function expectedIterations(entry: ExecutorOptions, field = 'scenario'): number {
  const area = segments(entry, field).reduce(
    (sum, s) => sum + ((s.fromPerMs + s.toPerMs) / 2) * s.durationMs,
    0,
  );
  return Math.ceil(area - 1e-9);
}

/**
 * Start times (ms from the entry's start) of every iteration, in order.
 *
 * The i-th iteration starts when the cumulative arrivals, the integral of the
 * rate, reach i; so the first starts at 0 and a constant rate gives evenly
 * spaced starts. Within a linear ramp that integral is quadratic and is
 * solved in closed form, so ramps are exact rather than stepped per second.
 */
export function* arrivals(entry: ExecutorOptions, field = 'scenario'): Generator<number> {
  let segmentStart = 0;
  let arrivedBefore = 0;
  let next = 0;
  for (const { durationMs, fromPerMs, toPerMs } of segments(entry, field)) {
    const slope = durationMs > 0 ? (toPerMs - fromPerMs) / durationMs : 0;
    const arrivedAfter = arrivedBefore + ((fromPerMs + toPerMs) / 2) * durationMs;
    // Small tolerance: the area is a float; an arrival that lands on a segment's
    // end belongs to the next segment (or, after the last, is not part of the run).
    while (next < arrivedAfter - 1e-9) {
      const needed = next - arrivedBefore;
      // Root of fromPerMs * t + slope * t^2 / 2 = needed, in the form that stays
      // accurate when the slope is zero or negative.
      const within =
        needed <= 0
          ? 0
          : (2 * needed) / (fromPerMs + Math.sqrt(Math.max(0, fromPerMs * fromPerMs + 2 * slope * needed)));
      yield segmentStart + within;
      next += 1;
    }
    segmentStart += durationMs;
    arrivedBefore = arrivedAfter;
  }
}
