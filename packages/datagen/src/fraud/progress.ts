/**
 * `▸ step ... 45% (12.3s)` lines for long work, at most one every
 * `intervalMs` (plus the final one), so logs stay readable and the caller
 * can report as often as it likes.
 */
export interface Progress {
  update(done: number, total: number): void;
  finish(detail?: string): void;
}

export function progress(
  step: string,
  print: (line: string) => void = (line) => console.log(line),
  intervalMs = 2_000,
): Progress {
  const started = performance.now();
  let lastPrinted = started;
  const elapsed = () => `${((performance.now() - started) / 1_000).toFixed(1)}s`;
  return {
    update(done, total) {
      const now = performance.now();
      if (now - lastPrinted < intervalMs) return;
      lastPrinted = now;
      const percent = total > 0 ? Math.floor((100 * done) / total) : 0;
      print(`▸ ${step} ... ${percent}% (${elapsed()})`);
    },
    finish(detail) {
      print(`▸ ${step} done (${elapsed()})${detail ? `: ${detail}` : ''}`);
    },
  };
}
