import { BucketedWindow } from './bucketed-window.js';
import { WINDOWS } from './windows.js';

/**
 * A payment at least this many times the card's usual amount is a spike.
 * Chosen on the Handbook protocol's earlier weeks (2.5 and 3 both helped; 3
 * slightly more): well outside a cardholder's own spread of amounts.
 */
export const SPIKE_RATIO = 3;

const SPANS = ['7d', '30d'].map((name) => WINDOWS.find((w) => w.name === name)!);

/**
 * How many of a card's earlier payments were spikes, over 7 and 30 days. A
 * stolen card used for a few large purchases leaves spikes behind, so the
 * next unusual amount on that card is more suspicious than on a card that
 * never had one.
 */
export class SpikeHistory {
  private constructor(private readonly windows: BucketedWindow[]) {}

  static empty(): SpikeHistory {
    return new SpikeHistory(SPANS.map((spec) => new BucketedWindow(spec)));
  }

  add(time: number): void {
    for (const window of this.windows) window.add(time, 0);
  }

  /** Spikes in the 7-day (`0`) or 30-day (`1`) window ending at `time`. */
  countAt(span: 0 | 1, time: number): number {
    return this.windows[span]!.countAt(time);
  }

  toJSON(): number[][] {
    return this.windows.map((window) => window.toJSON());
  }

  static fromJSON(buckets: readonly (readonly number[])[]): SpikeHistory {
    return new SpikeHistory(SPANS.map((spec, i) => BucketedWindow.fromJSON(spec, buckets[i] ?? [])));
  }
}
