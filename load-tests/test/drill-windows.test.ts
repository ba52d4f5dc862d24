import { describe, expect, it } from 'vitest';
import { windowFigures } from '../src/workloads/drill-windows.js';
import type { FaultRecord } from '../src/workloads/fault-sequence.js';

/** The drill's per-second tallies (`<design> <class>`), as the recorder's timeline holds them. */
class Tallies {
  readonly counts: Record<string, number[]> = {};
  add(name: string, atMs: number): void {
    const series = (this.counts[name] ??= []);
    const second = Math.floor(atMs / 1000);
    for (let s = series.length; s <= second; s++) series[s] = 0;
    series[second]! += 1;
  }
}

describe('drill windows: availability before the faults, during each recovery and outside them', () => {
  it('when misses fall only inside a recovery, then the baseline and the outside windows are whole and the fault window carries them', () => {
    const tallies = new Tallies();
    for (let second = 0; second < 60; second++) {
      for (let i = 0; i < 10; i++) {
        // The kill at 20 s took 5 s to recover from: half the payments then missed.
        const missed = second >= 20 && second < 25 && i % 2 === 0;
        tallies.add(missed ? 'fraud late' : 'fraud pipeline', second * 1000 + i * 100);
      }
      tallies.add(second !== 40 ? 'recs full' : 'recs failed', second * 1000);
    }
    const records: FaultRecord[] = [
      { id: 'ha-kill-feature-engine', outcome: 'recovered', injected_at_s: 20, recovered_at_s: 24.2 },
      { id: 'ha-kill-rules', outcome: 'not recovered', injected_at_s: 50 },
    ];

    const figures = windowFigures(tallies.counts, records);

    expect(figures['availability{design:fraud,window:before-faults}']).toBe(1);
    expect(figures['availability{design:fraud,fault:ha-kill-feature-engine}']).toBe(0.5);
    expect(figures['availability{design:fraud,window:outside-recoveries}']).toBe(1);
    // A fault never recovered from runs to the end of the run.
    expect(figures['availability{design:fraud,fault:ha-kill-rules}']).toBe(1);
    // A recs miss at 40 s, outside every recovery (0-19 s and 25-49 s): the outside window shows it.
    expect(figures['availability{design:recs,window:outside-recoveries}']).toBeCloseTo(44 / 45, 4);
  });

  it('when no request fell in a window, then its availability is null, not 1', () => {
    const tallies = new Tallies();
    tallies.add('fraud pipeline', 30_000);
    const figures = windowFigures(tallies.counts, [
      { id: 'ha-kill-rules', outcome: 'recovered', injected_at_s: 10, recovered_at_s: 12 },
    ]);
    expect(figures['availability{design:fraud,window:before-faults}']).toBeNull();
    expect(figures['availability{design:recs,fault:ha-kill-rules}']).toBeNull();
  });
});
