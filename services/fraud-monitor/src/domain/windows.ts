const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export interface Window {
  /** As written: `1h`, `24h`, `7d`. */
  name: string;
  ms: number;
}

/**
 * Decisions by age at the stream time: ages [fromMs, toMs), that is event
 * times in (stream time - toMs, stream time - fromMs]. A sliding window is
 * the range from age 0; a cohort (`7d-14d`) starts later.
 */
export interface AgeRange {
  name: string;
  fromMs: number;
  toMs: number;
}

/** Parses `30m`, `1h`, `7d`: the sliding windows quality is reported over. */
export function parseWindow(text: string): Window {
  const match = /^(\d+)([mhd])$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a window: write a whole number and m, h or d (e.g. 1h, 7d)`);
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  if (ms === 0) throw new Error(`window "${text}" is empty`);
  return { name: text.trim(), ms };
}

export const windowRange = (window: Window): AgeRange => ({ name: window.name, fromMs: 0, toMs: window.ms });

/**
 * Cohorts from their upper age edges, youngest first: `7d,14d,30d,60d` gives
 * `0-7d`, `7d-14d`, `14d-30d`, `30d-60d` (contiguous, so every decision
 * younger than the last edge is in exactly one).
 */
export function parseCohorts(edges: readonly string[]): AgeRange[] {
  const parsed = edges.map(parseWindow);
  return parsed.map((edge, i) => {
    const previous = parsed[i - 1];
    if (previous && edge.ms <= previous.ms) {
      throw new Error(`cohort edges must increase: "${edge.name}" follows "${previous.name}"`);
    }
    return { name: `${previous?.name ?? '0'}-${edge.name}`, fromMs: previous?.ms ?? 0, toMs: edge.ms };
  });
}
