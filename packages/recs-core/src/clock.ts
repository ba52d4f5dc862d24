/**
 * The serving clock: what "now" means to the recs services.
 *
 * The data is synthetic and ends on a fixed date (the artifact manifest's
 * `dataWindow.endMs`), while the services run months later. On the wall
 * clock every song would be too old for the freshness rule, every stored
 * listen too stale for the user tower, and the ranker's age features far
 * outside what training saw. So by default the services run on the data's
 * time: at the wall-clock moment `anchorMs` it is the data's end, and time
 * runs on from there at the wall clock's pace.
 */

import { env } from '@mlsys/config';

export const SERVING_CLOCK_MODES = ['data', 'wall'] as const;
export type ServingClockMode = (typeof SERVING_CLOCK_MODES)[number];

export interface ServingClockOptions {
  /** `data`: the data's end plus the time since `anchorMs`; `wall`: the wall clock. */
  mode: ServingClockMode;
  /** Where the data ends (epoch ms); undefined for artifact sets that do not say, which means the wall clock. */
  dataEndMs: number | undefined;
  /** The wall-clock moment (epoch ms) that corresponds to the data's end. */
  anchorMs: number;
  /** The wall clock; tests pass their own. */
  wallNow?: () => number;
}

/** The clock a service should run on and why, for its start-up log. */
export interface ServingClockSummary {
  clock: ServingClockMode;
  /** ISO time the serving clock showed when the summary was made. */
  servingNow: string;
  dataEnd?: string;
  anchor?: string;
  message: string;
}

function effectiveMode(options: ServingClockOptions): ServingClockMode {
  return options.mode === 'data' && options.dataEndMs !== undefined ? 'data' : 'wall';
}

/** `() => now` in epoch ms, on the data's time or the wall clock (see the module comment). */
export function servingClock(options: ServingClockOptions): () => number {
  const wallNow = options.wallNow ?? Date.now;
  if (effectiveMode(options) === 'wall') return wallNow;
  const offset = options.dataEndMs! - options.anchorMs;
  return () => wallNow() + offset;
}

/** What `servingClock` will do with these options, in words: one start-up log line. */
export function describeServingClock(options: ServingClockOptions): ServingClockSummary {
  const servingNow = new Date(servingClock(options)()).toISOString();
  if (effectiveMode(options) === 'data') {
    const dataEnd = new Date(options.dataEndMs!).toISOString();
    const anchor = new Date(options.anchorMs).toISOString();
    return {
      clock: 'data',
      servingNow,
      dataEnd,
      anchor,
      message: `serving clock: data time (the data ends ${dataEnd}, which is wall time ${anchor}); now is ${servingNow}`,
    };
  }
  const message =
    options.mode === 'wall'
      ? 'serving clock: wall time (SERVING_CLOCK=wall)'
      : 'serving clock: wall time, because the artifact manifest has no dataWindow (an artifact set from before the serving clock; retrain to get one)';
  return { clock: 'wall', servingNow, message };
}

/** The two variables of every recs service that reads the time, for its `loadConfig` shape. */
export const servingClockEnv = {
  SERVING_CLOCK: env.oneOf(SERVING_CLOCK_MODES, {
    description:
      "what now is: 'data' = the artifact data's end plus the time since SERVING_CLOCK_ANCHOR_MS, 'wall' = the wall clock",
    default: 'data',
  }),
  SERVING_CLOCK_ANCHOR_MS: env.int({
    description:
      'wall-clock epoch ms that is the data end on the data clock (default: when this process started)',
    default: 0,
    min: 1,
  }),
};

/**
 * A service's clock from those variables and its artifact set's data end,
 * announced once through `log` (the start-up line saying which clock runs).
 */
export function servingClockFromEnv(
  config: { SERVING_CLOCK: ServingClockMode; SERVING_CLOCK_ANCHOR_MS: number },
  dataEndMs: number | undefined,
  log: (fields: Omit<ServingClockSummary, 'message'>, message: string) => void,
): () => number {
  const options = {
    mode: config.SERVING_CLOCK,
    dataEndMs,
    anchorMs: config.SERVING_CLOCK_ANCHOR_MS || Date.now(),
  };
  const { message, ...fields } = describeServingClock(options);
  log(fields, message);
  return servingClock(options);
}
