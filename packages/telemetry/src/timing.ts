/**
 * Times the stages of one request and renders them as a `Server-Timing`
 * header (RFC: W3C Server Timing), so a caller sees where the time went.
 */
export class StageTimer {
  private readonly entries: { name: string; ms: number; description?: string }[] = [];

  /** Runs `work` and records how long it took, whether it resolved or threw. */
  async time<T>(name: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.record(name, performance.now() - started);
    }
  }

  record(name: string, ms: number, description?: string): void {
    this.entries.push(description === undefined ? { name, ms } : { name, ms, description });
  }

  get stages(): ReadonlyArray<{ name: string; ms: number; description?: string }> {
    return this.entries;
  }

  totalMs(): number {
    return this.entries.reduce((sum, e) => sum + e.ms, 0);
  }

  header(): string {
    return serverTimingHeader(this.entries);
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function serverTimingHeader(
  entries: ReadonlyArray<{ name: string; ms: number; description?: string }>,
): string {
  return entries
    .map(({ name, ms, description }) => {
      if (!TOKEN.test(name)) throw new Error(`Server-Timing metric name "${name}" is not an HTTP token`);
      const desc = description === undefined ? '' : `;desc="${description.replace(/["\\]/g, '')}"`;
      return `${name};dur=${ms.toFixed(2)}${desc}`;
    })
    .join(', ');
}
