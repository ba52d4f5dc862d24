/**
 * How often the console reads the stack: every `fastMs` while someone
 * watches (a page asked for the topology within `watchedForMs`), every
 * `idleMs` otherwise. Each read asks every instance for its `/metrics` and
 * Kafka for every group's offsets, which costs CPU in each of them; on the
 * `ha` stack, scraped every 2 s with nobody looking, the console was one of
 * the busiest processes beside the Kafka nodes (measured by hand), in the
 * middle of kill drills and benchmarks. Idle reads keep the history going,
 * so a page opened later still finds its window filled; the first request
 * of a page wakes the loops, so it never waits a whole idle interval.
 */
export class WatchCadence {
  private lastWatchedAt = Number.NEGATIVE_INFINITY;
  private readonly wakers = new Set<() => void>();
  private readonly now: () => number;

  constructor(
    private readonly options: { fastMs: number; idleMs: number; watchedForMs: number; now?: () => number },
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Someone is looking: read at the fast pace from now on, starting at once if the loops were idle. */
  watched(): void {
    const wasWatched = this.isWatched();
    this.lastWatchedAt = this.now();
    if (!wasWatched) for (const wake of [...this.wakers]) wake();
  }

  isWatched(): boolean {
    return this.now() - this.lastWatchedAt <= this.options.watchedForMs;
  }

  /** The wait before the next read. */
  delayMs(): number {
    return this.isWatched() ? this.options.fastMs : this.options.idleMs;
  }

  /** Runs `read` now and then again after each `delayMs()`, until stopped; the stop waits for a read in progress. */
  loop(read: () => Promise<void>): { stop(): Promise<void> } {
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> | undefined;
    let stopped = false;
    const tick = () => {
      timer = undefined;
      running = read().finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, this.delayMs());
      });
    };
    // Watched while waiting out an idle delay: read at once instead (a read in progress just ends).
    const wake = () => {
      if (timer === undefined || stopped) return;
      clearTimeout(timer);
      tick();
    };
    this.wakers.add(wake);
    timer = setTimeout(tick, 0);
    return {
      stop: async () => {
        stopped = true;
        this.wakers.delete(wake);
        clearTimeout(timer);
        await running;
      },
    };
  }
}
