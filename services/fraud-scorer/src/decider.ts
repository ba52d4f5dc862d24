// The scorer's decision as a library: the model, the rules file and the
// batch scoring the scorer's stream runs, for the feature engine to decide
// on the request path at the card's partition owner with the same code.
export { OnnxFraudModel } from './adapters/onnx-model.js';
export { RulesFile, type RulesFileEvents, readRuleBook } from './adapters/rules-file.js';
export type { Thresholds } from './domain/decide.js';
export type { FraudModel } from './domain/ports.js';
export type { RuleBook } from './domain/rules.js';
export {
  featureMismatch,
  type Scorable,
  type ScoredBatch,
  type ScoringContext,
  scoreBatch,
} from './domain/score-batch.js';
export { DEFAULT_RULES_FILE } from './rules-only.js';
