/**
 * Runs items in shared calls: concurrent requests share one model call
 * instead of paying its fixed cost each. An item that finds no call in
 * flight runs at once (waiting for company that rarely comes would only add
 * latency at low rates); items arriving while a call is in flight wait for
 * it to finish, or at most `windowMs`, and then go together (at most
 * `maxItems` a call). A window of 0 runs every item alone.
 */
export class MicroBatcher<I, O> {
  private waiting: Array<{ item: I; resolve: (out: O) => void; reject: (error: Error) => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private calls = 0;
  private items = 0;

  constructor(
    private readonly run: (items: readonly I[]) => Promise<readonly O[]>,
    private readonly windowMs: number,
    private readonly maxItems = 256,
  ) {}

  /** Calls made and items run so far: items / calls is the mean batch size. */
  get stats(): { calls: number; items: number } {
    return { calls: this.calls, items: this.items };
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.windowMs <= 0 || this.inFlight === 0 || this.waiting.length >= this.maxItems) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    this.calls += 1;
    this.items += batch.length;
    this.inFlight += 1;
    this.run(batch.map((entry) => entry.item))
      .then(
        (outs) => {
          for (const [index, entry] of batch.entries()) entry.resolve(outs[index]!);
        },
        (error: Error) => {
          for (const entry of batch) entry.reject(error);
        },
      )
      .finally(() => {
        this.inFlight -= 1;
        // Whoever waited for this call goes now, together.
        if (this.inFlight === 0) this.flush();
      });
  }
}
