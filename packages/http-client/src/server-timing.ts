/** One `Server-Timing` metric: `name;dur=1.23;desc="..."`. */
export interface TimingEntry {
  name: string;
  ms: number;
  description?: string;
}

/**
 * Parses a `Server-Timing` header (W3C Server Timing). Metrics without a
 * `dur` are kept with 0 ms; malformed parameters are ignored rather than
 * failing a call over a diagnostic header.
 */
export function parseServerTiming(header: string | readonly string[] | undefined): TimingEntry[] {
  if (header === undefined) return [];
  const text = typeof header === 'string' ? header : header.join(',');
  const entries: TimingEntry[] = [];
  for (const metric of text.split(',')) {
    const [rawName, ...params] = metric.split(';');
    const name = rawName?.trim();
    if (!name) continue;
    const entry: TimingEntry = { name, ms: 0 };
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const key = param.slice(0, eq).trim().toLowerCase();
      const value = param.slice(eq + 1).trim();
      if (key === 'dur') {
        const ms = Number(value);
        if (Number.isFinite(ms)) entry.ms = ms;
      } else if (key === 'desc') {
        entry.description = value.replace(/^"(.*)"$/, '$1');
      }
    }
    entries.push(entry);
  }
  return entries;
}
