/**
 * Durations as k6 writes them: `500ms`, `30s`, `2m`, `1h`, or combined
 * (`1m30s`). A bare number is seconds, which is what `--duration 60` means.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(value: string | number, field = 'duration'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0)
      throw new Error(`${field} must be a non-negative number of seconds, got ${value}`);
    return value * 1000;
  }
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let index = 0;
  while (index < text.length) {
    part.lastIndex = index;
    const match = part.exec(text);
    if (!match) break;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    index = part.lastIndex;
  }
  if (text.length === 0 || index !== text.length) {
    throw new Error(
      `${field} must look like 500ms, 30s, 2m or 1m30s (or a number of seconds), got "${value}"`,
    );
  }
  return total;
}

/** The shortest k6-style spelling of a duration, for params and reports. */
export function formatDuration(ms: number): string {
  if (ms % 1000 !== 0) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds % 60 !== 0 || seconds < 60) return `${seconds}s`;
  return `${seconds / 60}m`;
}
