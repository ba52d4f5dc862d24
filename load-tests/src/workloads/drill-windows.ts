import type { FaultRecord } from './fault-sequence.js';

export type DrillDesign = 'fraud' | 'recs';

/**
 * Availability in the drill's windows, so that a miss can be told apart from
 * a fault's: before the first fault (the stack's own baseline), while each
 * fault was being recovered from (its injection to its recovery), and
 * outside every such window. Answers are kept per second of their scheduled
 * start, per design: whether each was available (see drill-answers.ts).
 */
export class DrillWindows {
  private readonly seconds: Record<DrillDesign, { total: number[]; available: number[] }> = {
    fraud: { total: [], available: [] },
    recs: { total: [], available: [] },
  };

  /** `atMs`: the request's scheduled start, ms since the run began (the fault records' clock). */
  record(design: DrillDesign, atMs: number, available: boolean): void {
    const second = Math.max(0, Math.floor(atMs / 1000));
    const counts = this.seconds[design];
    counts.total[second] = (counts.total[second] ?? 0) + 1;
    if (available) counts.available[second] = (counts.available[second] ?? 0) + 1;
  }

  /** Availability over the seconds `inWindow` says yes to; null when no request fell in them. */
  availability(design: DrillDesign, inWindow: (second: number) => boolean): number | null {
    const { total, available } = this.seconds[design];
    let requests = 0;
    let up = 0;
    for (let second = 0; second < total.length; second++) {
      if (!inWindow(second)) continue;
      requests += total[second] ?? 0;
      up += available[second] ?? 0;
    }
    return requests === 0 ? null : Math.round((up / requests) * 1e4) / 1e4;
  }

  /**
   * `availability{design:D,window:before-faults}`, `…,window:outside-recoveries}` and
   * `availability{design:D,fault:<id>}` (from injection to recovery; to the end of the run
   * when it did not recover), for both designs.
   */
  figures(records: readonly FaultRecord[]): Record<string, number | null> {
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
      figures[`availability{design:${design},window:before-faults}`] = this.availability(
        design,
        (second) => second < firstFault,
      );
      figures[`availability{design:${design},window:outside-recoveries}`] = this.availability(
        design,
        (second) => !inRecovery(second),
      );
      for (const w of windows)
        figures[`availability{design:${design},fault:${w.id}}`] = this.availability(
          design,
          (second) => second >= w.from && second < w.to,
        );
    }
    return figures;
  }
}
