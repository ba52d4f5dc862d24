import { loadConfig } from '@mlsys/config';
import { applyOverrides } from '../overrides.js';
import { type LoadRun, runLoad } from '../run-load.js';
import type { ScenarioDefinition } from '../scenario.js';
import type { DrillTargets } from './drill.js';
import { type Phase, phasedScenario } from './phases.js';

export interface DrillLoadRequest {
  scenario: ScenarioDefinition;
  targets: DrillTargets;
  /** `--param` values of the scenario, as text (its defaults fill the rest). */
  params?: Record<string, string>;
  ratePerSecond: number;
  durationMs: number;
  warmupMs: number;
  phases?: readonly Phase[];
  onPhase?: (phase: Phase, atMs: number) => void | Promise<void>;
  label: string;
  progress: (line: string) => void;
}

/**
 * One run of a project scenario inside a drill, through the same runner as
 * `npm run load`: the drill measures with the load tests' clock, histograms
 * and generator-health check, not with a second way of timing requests.
 */
export async function drillLoad(request: DrillLoadRequest): Promise<LoadRun> {
  const base = request.scenario;
  const scenario = request.phases
    ? phasedScenario(base, request.phases, request.onPhase ?? (() => {}))
    : base;
  return runLoad({
    scenario,
    options: applyOverrides(base.options, {
      ratePerSecond: request.ratePerSecond,
      durationMs: request.durationMs,
    }),
    target: request.targets[base.target === 'kafka' ? 'kafka' : base.target],
    targets: {
      'rec-api': request.targets['rec-api'],
      'txn-api': request.targets['txn-api'],
      kafka: request.targets.kafka,
    },
    params: loadConfig(base.name, base.params, request.params ?? {}),
    warmupMs: request.warmupMs,
    label: request.label,
    print: request.progress,
  });
}

/** The generator's verdict as a note: a drill's numbers on a busy box say so. */
export function generatorNote(run: LoadRun, label: string): string | undefined {
  const verdict = run.generator.verdict;
  return verdict.valid
    ? undefined
    : `${label}: the load generator was the bottleneck (${verdict.reasons.join('; ')}); its latencies include that wait`;
}
