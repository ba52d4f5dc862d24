/** Console output of the CLI: steps with their duration, so long set-up never looks stuck. */

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

export const say = (message: string) => console.log(`▸ ${message}`);
export const ok = (message: string) => console.log(`  ✓ ${message}`);
export const warn = (message: string) => console.warn(`  ! ${message}`);

/** Runs one named step, printing when it starts and how long it took. */
export async function step<T>(title: string, work: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  console.log(`▸ ${title}`);
  const result = await work();
  console.log(`  ✓ ${title} (${((Date.now() - t0) / 1000).toFixed(1)}s, total ${elapsed()})`);
  return result;
}

/** Prints a heartbeat every few seconds while `work` runs (for steps with no progress of their own). */
export async function withHeartbeat<T>(label: string, work: Promise<T>, everyMs = 5000): Promise<T> {
  const t0 = Date.now();
  const timer = setInterval(
    () => console.log(`  … ${label} (${Math.round((Date.now() - t0) / 1000)}s)`),
    everyMs,
  );
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/** An error the user can act on: printed as one line, without a stack trace. */
export class UserFacingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserFacingError';
  }
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
