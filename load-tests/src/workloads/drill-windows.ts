import type { TimelineSnapshot } from '../metrics.js';
import { isAvailable } from './drill-answers.js';
import type { FaultRecord } from './fault-sequence.js';

type Design = 'fraud' | 'recs';

/**
 * Availability in the drill's windows, so that a miss can be told apart from
 * a fault's: before the first fault (the stack's own baseline), while each
 * fault was being recovered from (its injection to its recovery), and
 * outside every such window. Read from the per-second tallies the drill
 * already keeps for the report's charts (`<design> <class>`, at each
 * request's scheduled start: the fault records' clock):
 * `availability{design:D,window:before-faults}`, `…,window:outside-recoveries}`
 * and `availability{design:D,fault:<id>}` (to the end of the run when it did
 * not recover), for both designs.
 */
export function windowFigures(
  counts: NonNullable<TimelineSnapshot['counts']>,
  records: readonly FaultRecord[],
): Record<string, number | null> {
  const injected = records.filter((r) => r.injected_at_s !== undefined);
  const firstFault = Math.min(...injected.map((r) => r.injected_at_s!));
  const windows = injected.map((r) => ({
    id: r.id,
    from: Math.floor(r.injected_at_s!),
    to: r.recovered_at_s === undefined ? Number.POSITIVE_INFINITY : Math.ceil(r.recovered_at_s),
  }));
  const inRecovery = (second: number) => windows.some((w) => second >= w.from && second < w.to);
  const figures: Record<string, number | null> = {};
  for (const design of ['fraud', 'recs'] as const) {
    const availability = (inWindow: (second: number) => boolean) => availabilityIn(counts, design, inWindow);
    figures[`availability{design:${design},window:before-faults}`] = availability((s) => s < firstFault);
    figures[`availability{design:${design},window:outside-recoveries}`] = availability((s) => !inRecovery(s));
    for (const w of windows)
      figures[`availability{design:${design},fault:${w.id}}`] = availability((s) => s >= w.from && s < w.to);
  }
  return figures;
}

/** Available answers / all answers of `design` over the seconds `inWindow` says yes to; null when none fell in them. */
function availabilityIn(
  counts: NonNullable<TimelineSnapshot['counts']>,
  design: Design,
  inWindow: (second: number) => boolean,
): number | null {
  let requests = 0;
  let up = 0;
  for (const [name, perSecond] of Object.entries(counts)) {
    if (!name.startsWith(`${design} `)) continue;
    const available = isAvailable(name.slice(design.length + 1) as Parameters<typeof isAvailable>[0]);
    perSecond.forEach((n, second) => {
      if (!inWindow(second)) return;
      requests += n;
      if (available) up += n;
    });
  }
  return requests === 0 ? null : Math.round((up / requests) * 1e4) / 1e4;
}
