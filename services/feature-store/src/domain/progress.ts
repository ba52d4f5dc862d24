/** How the materialisation of this process is going; `/readyz` shows it while no version is live. */
export class MaterializationProgress {
  private state: 'idle' | 'running' | 'done' | 'failed' = 'idle';
  private detail = 'not started';

  running(phase: string, done: number, total: number): void {
    this.state = 'running';
    this.detail = `materialising ${phase}: ${done}/${total} (${total === 0 ? 100 : Math.floor((100 * done) / total)}%)`;
  }

  finished(detail: string): void {
    this.state = 'done';
    this.detail = detail;
  }

  failed(error: Error): void {
    this.state = 'failed';
    this.detail = `materialisation failed: ${error.message}`;
  }

  describe(): string {
    return this.detail;
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }
}
