// The load runner as a library: the SLO file, and what a scenario file or a
// benchmark needs to define and run a load. The CLI (src/cli.ts) is the usual way in.

export { type CapacityOutcome, type CapacityPlan, findCapacity } from './capacity.js';
export { loadResult } from './load-result.js';
export type { MetricKind, MetricsSink } from './metrics.js';
export type { CapacityOptions, ExecutorOptions, GeneratorLimits, LoadOptions, Tags } from './options.js';
// The progress line a wrapper (the console) reads while a run goes.
export { type ProgressSnapshot, progressLine } from './progress.js';
export { renderHtml } from './report/html.js';
export { writeReports } from './report/write.js';
export { type LoadRequest, type LoadRun, runLoad } from './run-load.js';
export type { IterationContext, IterationOutcome } from './runner.js';
export {
  defineScenario,
  type HttpRequestSpec,
  type ScenarioDefinition,
  type Workload,
  type WorkloadContext,
} from './scenario.js';
export * from './slo.js';
export { parseThresholds, sloThreshold, type Threshold } from './thresholds.js';
