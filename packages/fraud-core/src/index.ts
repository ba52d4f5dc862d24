export * from './artifacts.js';
export * from './calibration.js';
export type { CardSnapshot } from './card-state.js';
export type { CounterpartySnapshot } from './counterparty-state.js';
export * from './engine.js';
export {
  COUNTERPARTY_KINDS,
  type CounterpartyKind,
  FEATURE_NAMES,
  FEATURE_SPEC_VERSION,
  type FeatureName,
  type FeatureVector,
  featureIndex,
  featureRecord,
  newFeatureVector,
} from './features.js';
export type { KnownFraud } from './known-frauds.js';
export * from './merchant-categories.js';
export * from './reference.js';
export * from './rules-input.js';
export * from './terminal-directory.js';
export * from './time.js';
export * from './warm-up-payment.js';
export * from './windows.js';
