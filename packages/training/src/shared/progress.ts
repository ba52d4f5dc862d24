/**
 * Console progress of the offline pipeline: `▸ recs/default hnsw: 45% (12.3s)`
 * lines, at most one every two seconds, then `✓ ... (41.0s)` when a step ends.
 * The Python scripts print the same format (python/shared/progress.py).
 */
export interface StepProgress {
  /** `fraction` in [0, 1]; `detail` says what is being done, e.g. "30,000/100,000 songs". */
  update(fraction: number, detail?: string): void;
  /** Text that needs no throttling (a result worth reading). */
  note(message: string): void;
}

export type Print = (line: string) => void;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export class PipelineProgress {
  constructor(
    readonly prefix: string,
    private readonly print: Print = (line) => console.log(line),
    private readonly everyMs = 2_000,
  ) {}

  /** Label handed to Python scripts so their lines carry the same prefix. */
  label(step: string): string {
    return `${this.prefix} ${step}`;
  }

  async step<T>(name: string, work: (progress: StepProgress) => Promise<T> | T): Promise<T> {
    const label = this.label(name);
    const started = performance.now();
    let lastPrint = started;
    this.print(`▸ ${label}`);
    const progress: StepProgress = {
      update: (fraction, detail) => {
        const now = performance.now();
        if (now - lastPrint < this.everyMs) return;
        lastPrint = now;
        const what = detail ? `${label}: ${detail}` : label;
        this.print(`▸ ${what} ${Math.round(fraction * 100)}% (${seconds(now - started)})`);
      },
      note: (message) => this.print(`  ${label}: ${message}`),
    };
    const result = await work(progress);
    this.print(`  ✓ ${label} (${seconds(performance.now() - started)})`);
    return result;
  }

  skipped(name: string, why: string): void {
    this.print(`  ↷ ${this.label(name)}: ${why}`);
  }
}
