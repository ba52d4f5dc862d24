const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export interface Window {
  /** As written: `1h`, `24h`, `7d`. */
  name: string;
  ms: number;
}

/** Parses `30m`, `1h`, `7d`: the sliding windows quality is reported over. */
export function parseWindow(text: string): Window {
  const match = /^(\d+)([mhd])$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a window: write a whole number and m, h or d (e.g. 1h, 7d)`);
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  if (ms === 0) throw new Error(`window "${text}" is empty`);
  return { name: text.trim(), ms };
}
