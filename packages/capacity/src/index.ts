export { PathError, valueAt } from '@mlsys/results';
export { parseCli, parseCount, USAGE, UsageError } from './args.js';
export { type CpuCost, type CpuPoint, type CpuSeries, fitCpu } from './cpu-fit.js';
export { type FraudTarget, fraudSheet } from './designs/fraud.js';
export { DEFAULT_RECS_RPS, type RecsTarget, recsSheet } from './designs/recs.js';
export * from './distributions.js';
export { type EstimateOptions, estimate } from './estimate.js';
export * from './figure.js';
export { DEFAULTS, PRICES } from './givens.js';
export { type PipelineResult, type StageSpec, simulatePipeline } from './pipeline.js';
export { instancesFor, type Pool, type PoolSpec, sizePool } from './pool.js';
export { erlangB, erlangC, type MgcInput, type MgcWait, mgcWait } from './queueing.js';
export { RESULT_FILES, type ResultFile, Results } from './results.js';
export {
  compactRefs,
  figuresOf,
  formatValue,
  type LatencyRow,
  renderSheet,
  type Sheet,
  type SheetRow,
  sheetJson,
} from './sheet.js';
export {
  BAND,
  compareRow,
  type DesignCheck,
  GOAL,
  JUDGED_UP_TO,
  measuredCapacity,
  ratio,
  renderComparison,
  summarise,
  tally,
  type Validation,
  validateCapacityModel,
} from './validation/index.js';
