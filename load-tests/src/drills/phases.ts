import { percentileMs } from '../histogram.js';
import type { Recorder } from '../metrics.js';
import type { Tags } from '../options.js';
import type { ScenarioDefinition, Workload } from '../scenario.js';

/**
 * A drill's run is one load run cut into phases (before the fault, during,
 * after): each iteration is tagged with the phase of its scheduled start, so
 * the runner's own histograms and counters give every phase its figures, and
 * the fault is injected from the first iteration due in its phase, on the
 * run's clock, as the failure scenarios inject theirs.
 */
export interface Phase {
  name: string;
  /** Scheduled start (ms since the run began) from which iterations belong to this phase. */
  fromMs: number;
}

export function phaseAt(phases: readonly Phase[], atMs: number): Phase {
  let current = phases[0] as Phase;
  for (const phase of phases) if (atMs >= phase.fromMs) current = phase;
  return current;
}

/**
 * The scenario with every iteration tagged `phase` and `onPhase` called once,
 * at the first iteration of each phase (not during the warm-up). A hook's
 * failure is recorded as an error reason and does not stop the run.
 */
export function phasedScenario<S extends ScenarioDefinition>(
  scenario: S,
  phases: readonly Phase[],
  onPhase: (phase: Phase, atMs: number) => void | Promise<void>,
): S {
  return {
    ...scenario,
    open: async (context) => {
      const workload: Workload = await scenario.open(context);
      const entered = new Set<string>();
      const hooks: Promise<void>[] = [];
      const exec = Object.fromEntries(
        Object.entries(workload.exec).map(([name, iterate]) => [
          name,
          async (iteration: Parameters<typeof iterate>[0]) => {
            const phase = phaseAt(phases, iteration.scheduledAt);
            if (!context.warmup && !entered.has(phase.name)) {
              entered.add(phase.name);
              hooks.push(
                Promise.resolve()
                  .then(() => onPhase(phase, iteration.scheduledAt))
                  .catch((error: Error) =>
                    context.metrics.errorReason(`drill step failed: ${error.message}`),
                  ),
              );
            }
            const outcome = await iterate(iteration);
            return { ...outcome, tags: { ...outcome.tags, phase: phase.name } };
          },
        ]),
      );
      return {
        ...workload,
        exec,
        drain: async () => {
          await Promise.all(hooks);
          await workload.drain?.();
        },
      };
    },
  } as S;
}

export interface PhaseFigures {
  requests: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  availability: number | null;
  /** Share of the phase's requests per value of `shareTag` (e.g. the fraud answer's source). */
  shares: Record<string, number>;
}

/**
 * Figures of the samples matching `filter` (a phase: `{ phase: 'during' }`;
 * one scenario entry: `{ scenario: 'recommendations' }`; nothing: the run).
 */
export function figuresOf(
  recorder: Recorder,
  options: { filter?: Tags; shareTag?: string; shareValues?: readonly string[] } = {},
): PhaseFigures {
  const filter = options.filter ?? {};
  const latency = recorder.histogram('latency', filter);
  const requests = recorder.total('iterations', filter);
  const shares: Record<string, number> = {};
  if (options.shareTag) {
    for (const value of options.shareValues ?? []) {
      const n = recorder.total('iterations', { ...filter, [options.shareTag]: value });
      shares[value] = requests === 0 ? 0 : n / requests;
    }
  }
  return {
    requests,
    p50_ms: percentileMs(latency, 50),
    p95_ms: percentileMs(latency, 95),
    p99_ms: percentileMs(latency, 99),
    availability: recorder.share('availability', filter),
    shares,
  };
}
