import type { DegradedStage, RecStage } from '@mlsys/contracts';
import type { StageAnswer, StageTiming } from './ports.js';

/**
 * Collects what one request's stages did: wall time per stage as the
 * gateway saw it (`features`, `candidates`, ...), the compute time each
 * callee reported about itself (`candidates.ann`, `ranker.model`, ...), the
 * gateway's own compute, and which stages fell back and why.
 */
export class StageLog {
  readonly timings: StageTiming[] = [];
  readonly degraded: DegradedStage[] = [];
  private computeMs = 0;

  /**
   * Calls a remote stage; resolves with its value, or with undefined after
   * recording the failure as degraded with the fallback that replaces it.
   */
  async call<T>(
    stage: RecStage,
    fallback: string,
    work: () => Promise<StageAnswer<T>>,
  ): Promise<{ value: T } | undefined> {
    const started = performance.now();
    try {
      const answer = await work();
      for (const t of answer.timings) {
        this.timings.push({ name: `${stage}.${t.name}`, ms: t.ms });
        this.computeMs += t.ms;
      }
      return { value: answer.value };
    } catch (error) {
      this.degraded.push({ stage, reason: (error as Error).message, fallback });
      return undefined;
    } finally {
      this.timings.push({ name: stage, ms: performance.now() - started });
    }
  }

  /** Runs the gateway's own synchronous work (user tower, assembling) and counts it as compute. */
  local<T>(name: string, work: () => T): T {
    const started = performance.now();
    try {
      return work();
    } finally {
      const ms = performance.now() - started;
      this.timings.push({ name, ms });
      this.computeMs += ms;
    }
  }

  /** Sum of the callees' own compute and the gateway's: what the request cost without queueing and transport. */
  get totalComputeMs(): number {
    return this.computeMs;
  }
}
