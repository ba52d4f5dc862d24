import { WINDOWS, type WindowName } from './windows.js';

/**
 * The model's input, in order. Training writes its matrix in this order and
 * the ONNX model reads it in this order; the artifact manifest repeats the
 * list so a scorer refuses a model trained on another one.
 *
 * Sentinels instead of NaN: -1 means "none yet" (first payment of a card,
 * unknown terminal location, no known fraud in 30 days). Trees split on them
 * like on any value, and the drift monitor bins them like any value.
 */
const windowNames = WINDOWS.map((w) => w.name);

const transactionFeatures = ['amount', 'is_ecom', 'is_night', 'is_weekend', 'mcc_high_risk'] as const;

const cardFeatures = [
  ...windowNames.map((w) => `card_nb_tx_${w}` as const),
  ...windowNames.map((w) => `card_sum_amount_${w}` as const),
  'card_amount_to_mean_ratio',
  'card_amount_spikes_7d',
  'card_amount_spikes_30d',
  'card_seconds_since_last_tx',
  'card_distinct_terminals_1d',
  'card_distinct_devices_1d',
  'card_distance_from_home',
  'card_new_device',
  'card_new_ip',
  'card_known_frauds_30d',
  'card_fraud_ratio_30d',
  'card_days_since_known_fraud',
] as const;

/** Terminal, device and IP share one block of features; their names differ by prefix only. */
export type CounterpartyKind = 'terminal' | 'device' | 'ip';
export const COUNTERPARTY_KINDS: readonly CounterpartyKind[] = ['terminal', 'device', 'ip'];

const counterpartyFeatures = <K extends CounterpartyKind>(kind: K) =>
  [
    ...windowNames.map((w) => `${kind}_nb_tx_${w}` as const),
    ...windowNames.map((w) => `${kind}_sum_amount_${w}` as const),
    `${kind}_known_frauds_7d` as const,
    `${kind}_known_frauds_30d` as const,
    `${kind}_fraud_ratio_7d` as const,
    `${kind}_fraud_ratio_30d` as const,
    `${kind}_days_since_known_fraud` as const,
  ] as const;

/** Many cards behind one device or IP is a fraud farm; for a terminal it is its trade, so terminals skip it. */
const distinctCards = <K extends 'device' | 'ip'>(kind: K) => [`${kind}_distinct_cards_1d`] as const;

export const FEATURE_NAMES = [
  ...transactionFeatures,
  ...cardFeatures,
  ...counterpartyFeatures('terminal'),
  ...counterpartyFeatures('device'),
  ...distinctCards('device'),
  ...counterpartyFeatures('ip'),
  ...distinctCards('ip'),
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Bumped whenever a feature's definition changes, so stale models and caches are refused. */
export const FEATURE_SPEC_VERSION = 'fraud-features-v3';

/** One transaction's features, indexed like FEATURE_NAMES. */
export type FeatureVector = Float64Array;

const indexByName = new Map<string, number>(FEATURE_NAMES.map((name, i) => [name, i]));

export function featureIndex(name: FeatureName): number {
  return indexByName.get(name)!;
}

export const newFeatureVector = (): FeatureVector => new Float64Array(FEATURE_NAMES.length);

/** Named view of a vector, for logs, explanations and tests. */
export function featureRecord(vector: FeatureVector): Record<FeatureName, number> {
  const record = {} as Record<FeatureName, number>;
  FEATURE_NAMES.forEach((name, i) => {
    record[name] = vector[i] as number;
  });
  return record;
}

/** Where one entity's block of features sits in the vector; precomputed so `apply` never builds a string. */
export interface CounterpartyLayout {
  nbTx: readonly number[];
  sumAmount: readonly number[];
  /** null for terminals, which do not track their distinct cards. */
  distinctCards1d: number | null;
  knownFrauds7d: number;
  knownFrauds30d: number;
  fraudRatio7d: number;
  fraudRatio30d: number;
  daysSinceKnownFraud: number;
}

const windowIndexes = (prefix: string) =>
  windowNames.map((w: WindowName) => indexByName.get(`${prefix}_${w}`)!);

export function counterpartyLayout(kind: CounterpartyKind): CounterpartyLayout {
  return {
    nbTx: windowIndexes(`${kind}_nb_tx`),
    sumAmount: windowIndexes(`${kind}_sum_amount`),
    distinctCards1d: indexByName.get(`${kind}_distinct_cards_1d`) ?? null,
    knownFrauds7d: indexByName.get(`${kind}_known_frauds_7d`)!,
    knownFrauds30d: indexByName.get(`${kind}_known_frauds_30d`)!,
    fraudRatio7d: indexByName.get(`${kind}_fraud_ratio_7d`)!,
    fraudRatio30d: indexByName.get(`${kind}_fraud_ratio_30d`)!,
    daysSinceKnownFraud: indexByName.get(`${kind}_days_since_known_fraud`)!,
  };
}

export const CARD_LAYOUT = {
  nbTx: windowIndexes('card_nb_tx'),
  sumAmount: windowIndexes('card_sum_amount'),
  amountToMeanRatio: featureIndex('card_amount_to_mean_ratio'),
  amountSpikes7d: featureIndex('card_amount_spikes_7d'),
  amountSpikes30d: featureIndex('card_amount_spikes_30d'),
  secondsSinceLastTx: featureIndex('card_seconds_since_last_tx'),
  distinctTerminals1d: featureIndex('card_distinct_terminals_1d'),
  distinctDevices1d: featureIndex('card_distinct_devices_1d'),
  distanceFromHome: featureIndex('card_distance_from_home'),
  newDevice: featureIndex('card_new_device'),
  newIp: featureIndex('card_new_ip'),
  knownFrauds30d: featureIndex('card_known_frauds_30d'),
  fraudRatio30d: featureIndex('card_fraud_ratio_30d'),
  daysSinceKnownFraud: featureIndex('card_days_since_known_fraud'),
} as const;

export const TRANSACTION_LAYOUT = {
  amount: featureIndex('amount'),
  isEcom: featureIndex('is_ecom'),
  isNight: featureIndex('is_night'),
  isWeekend: featureIndex('is_weekend'),
  mccHighRisk: featureIndex('mcc_high_risk'),
} as const;
