import { formatDuration, parseDuration } from './duration.js';
import type { ExecutorOptions, LoadOptions } from './options.js';
import { peakRate, scheduleDurationMs } from './schedule.js';

export interface Overrides {
  /** Peak rate per second of the first scenario entry. */
  ratePerSecond?: number;
  durationMs?: number;
}

function perSecond(entry: ExecutorOptions): number {
  return peakRate(entry) / (parseDuration(entry.timeUnit ?? '1s') / 1000);
}

function scaleRate(entry: ExecutorOptions, factor: number): ExecutorOptions {
  if (entry.executor === 'constant-arrival-rate') return { ...entry, rate: entry.rate * factor };
  return {
    ...entry,
    ...(entry.startRate === undefined ? {} : { startRate: entry.startRate * factor }),
    stages: entry.stages.map((s) => ({ ...s, target: s.target * factor })),
  };
}

function stretch(entry: ExecutorOptions, durationMs: number): ExecutorOptions {
  if (entry.executor === 'constant-arrival-rate') return { ...entry, duration: formatDuration(durationMs) };
  const factor = durationMs / scheduleDurationMs(entry);
  return {
    ...entry,
    stages: entry.stages.map((s) => ({ ...s, duration: formatDuration(parseDuration(s.duration) * factor) })),
  };
}

/**
 * Applies `--rate` and `--duration` to every entry so the scenario keeps its
 * shape: rates scale by one factor (so a 1 % side stream of explain calls
 * stays 1 %) chosen so the first entry peaks at the given rate, and every
 * entry's timeline stretches to the given length (ramps keep their proportions).
 */
export function applyOverrides(options: LoadOptions, overrides: Overrides): LoadOptions {
  const entries = Object.entries(options.scenarios);
  const primary = entries[0]?.[1];
  if (!primary) throw new Error('options.scenarios is empty; a scenario needs at least one entry');
  let rateFactor = 1;
  if (overrides.ratePerSecond !== undefined) {
    if (!(overrides.ratePerSecond > 0))
      throw new Error(`--rate must be above 0, got ${overrides.ratePerSecond}`);
    const current = perSecond(primary);
    if (current === 0)
      throw new Error('--rate cannot scale a first scenario entry whose rate is 0 throughout');
    rateFactor = overrides.ratePerSecond / current;
  }
  if (overrides.durationMs !== undefined && !(overrides.durationMs > 0)) {
    throw new Error(`--duration must be longer than 0, got ${overrides.durationMs} ms`);
  }
  const scenarios: Record<string, ExecutorOptions> = {};
  for (const [name, entry] of entries) {
    let changed = rateFactor === 1 ? entry : scaleRate(entry, rateFactor);
    if (overrides.durationMs !== undefined) changed = stretch(changed, overrides.durationMs);
    scenarios[name] = changed;
  }
  return { ...options, scenarios };
}
