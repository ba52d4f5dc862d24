/** One metric of a `Server-Timing` header: `name;dur=1.23;desc="..."`. */
export interface TimingEntry {
  name: string;
  ms: number;
  description?: string;
}

/** Parses a `Server-Timing` header; entries without a duration are kept with 0 ms. */
export function parseServerTiming(header: string | null | undefined): TimingEntry[] {
  if (!header) return [];
  const entries: TimingEntry[] = [];
  // Split on commas outside quoted descriptions.
  for (const part of header.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? []) {
    const [name, ...params] = part.split(';').map((p) => p.trim());
    if (!name) continue;
    const entry: TimingEntry = { name, ms: 0 };
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const key = param.slice(0, eq).trim().toLowerCase();
      const value = param.slice(eq + 1).trim();
      if (key === 'dur') entry.ms = Number(value) || 0;
      if (key === 'desc') entry.description = value.replace(/^"|"$/g, '').replace(/\\(.)/g, '$1');
    }
    entries.push(entry);
  }
  return entries;
}
