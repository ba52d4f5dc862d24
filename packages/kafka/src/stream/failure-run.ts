/**
 * A failed batch is retried from a restore after a wait that starts here and
 * doubles up to the cap: an outage of Redis or the broker gets time to pass,
 * rather than five restores in a few seconds, each failing again and ending
 * the process.
 */
const FIRST_FAILURE_BACKOFF_MS = 250;
const MAX_FAILURE_BACKOFF_MS = 5_000;
/** A stream whose batches have failed for this long without one success stops (`onFatal`: a supervisor restarts it). */
const FAILING_AT_MOST_MS = 60_000;

/** What to do after one more failed batch: restore after `backoffMs`, or stop with `fatal`. */
export type FailureVerdict =
  | { backoffMs: number; fatal?: undefined }
  | { fatal: string; backoffMs?: undefined };

/** The stream's current run of failed batches, ended by the next batch that succeeds. */
export class FailureRun {
  private failures = 0;
  private since: number | undefined;

  constructor(private readonly clock: () => number = Date.now) {}

  get count(): number {
    return this.failures;
  }

  succeeded(): void {
    this.failures = 0;
    this.since = undefined;
  }

  failed(error: Error): FailureVerdict {
    this.failures += 1;
    this.since ??= this.clock();
    const failingMs = this.clock() - this.since;
    if (failingMs > FAILING_AT_MOST_MS)
      return {
        fatal: `stream failed ${this.failures} times in a row over ${Math.round(failingMs / 1000)} s, last: ${error.message}`,
      };
    return {
      backoffMs: Math.min(MAX_FAILURE_BACKOFF_MS, FIRST_FAILURE_BACKOFF_MS * 2 ** (this.failures - 1)),
    };
  }
}
