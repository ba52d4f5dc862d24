const HOUR_MS = 3_600_000;

/** Local hour of day in [0, 24) of a UTC instant, for a region `utcOffsetHours` away from UTC. */
export function localHour(timestampMs: number, utcOffsetHours: number): number {
  const hours = timestampMs / HOUR_MS + utcOffsetHours;
  return ((hours % 24) + 24) % 24;
}
