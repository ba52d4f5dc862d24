import Type, { type Static } from 'typebox';
import { Decision, Transaction } from './fraud.js';

/**
 * The fraud pipeline's internal events and files: what the feature engine
 * hands the scorer, the scorer's rules file, and the monitor's report.
 */

/**
 * A transaction with its features as of its event time, produced by the
 * feature engine to `transactions.enriched` (key = card). `features` is in
 * the order of the feature spec named by `featureSpecVersion` (fraud-core's
 * FEATURE_NAMES): a plain array rather than a record keeps the message a
 * third of the size, and the version lets the scorer refuse a vector its
 * model was not trained on.
 */
export const EnrichedTransaction = Type.Object(
  {
    transaction: Transaction,
    featureSpecVersion: Type.String({ minLength: 1, maxLength: 64 }),
    features: Type.Array(Type.Number(), { minItems: 1, maxItems: 1024 }),
    /** When the feature engine produced it (ms); with `transaction.eventTime`, the stage's latency. */
    enrichedAt: Type.Integer({ minimum: 0 }),
    /**
     * The decision the partition's owner already answered on the request path
     * (`POST /v1/transactions?wait=true`), from these very features: it is
     * logged as it is instead of being decided again, so the log holds
     * exactly the answer the caller got.
     */
    decision: Type.Optional(Decision),
    /**
     * True when the owner wrote `decision` to `decisions` itself, in the same
     * Kafka transaction as this record: the scorer then skips it. Absent (a
     * writer that does not log decisions): the scorer logs `decision`.
     */
    decisionLogged: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type EnrichedTransaction = Static<typeof EnrichedTransaction>;

/**
 * Who decides a card's payments on the request path: the feature-engine
 * instance that owns the card's partition of `transactions`, as it last
 * announced in Redis (`fraud:owners:<consumer group>`, a field per partition).
 */
export const PartitionOwner = Type.Object(
  {
    partition: Type.Integer({ minimum: 0 }),
    /** Base URL of the owner's HTTP API. */
    url: Type.String({ minLength: 1, maxLength: 512 }),
    instance: Type.String({ minLength: 1, maxLength: 128 }),
    /** The owner's assignment count: a later one supersedes an earlier one. */
    generation: Type.Integer({ minimum: 0 }),
    /** When the owner last announced itself (ms). */
    announcedAt: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type PartitionOwner = Static<typeof PartitionOwner>;

/** The Redis hash (a field per partition) where a feature-engine consumer group's owners announce themselves. */
export const partitionOwnersKey = (consumerGroup: string) => `fraud:owners:${consumerGroup}`;

/**
 * The error code of an owner's `503` that means "the payment is in the log, its decision
 * follows from the stream": the caller must not publish a copy. Any other `503` (a server
 * closing, a proxy) says nothing about the payment, which may not be in the log at all.
 */
export const APPENDED_UNDECIDED = 'appended_undecided';

/** Comparison a rule condition applies to one feature or transaction field. */
export const RuleOperator = Type.Union([
  Type.Literal('<'),
  Type.Literal('<='),
  Type.Literal('>'),
  Type.Literal('>='),
  Type.Literal('=='),
  Type.Literal('!='),
  Type.Literal('in'),
  Type.Literal('not in'),
]);
export type RuleOperator = Static<typeof RuleOperator>;

export const RuleCondition = Type.Object(
  {
    /** A model feature name (`card_nb_tx_1h`) or a transaction field (`channel`, `merchantCategory`, `currency`). */
    field: Type.String({ minLength: 1, maxLength: 64 }),
    op: RuleOperator,
    value: Type.Union([
      Type.Number(),
      Type.String({ maxLength: 64 }),
      Type.Array(Type.Union([Type.Number(), Type.String({ maxLength: 64 })]), { minItems: 1, maxItems: 256 }),
    ]),
  },
  { additionalProperties: false },
);
export type RuleCondition = Static<typeof RuleCondition>;

export const FraudRule = Type.Object(
  {
    id: Type.String({
      pattern: '^[a-z0-9][a-z0-9-]{0,63}$',
      description: 'stable name, quoted in decisions',
    }),
    /** Every condition must hold for the rule to fire. */
    when: Type.Array(RuleCondition, { minItems: 1, maxItems: 16 }),
    /** What a firing rule asks for; the strongest of the rules' and the model's outcomes wins. */
    action: Type.Union([Type.Literal('review'), Type.Literal('decline')]),
    /** Why, in words an analyst reads in the decision. */
    reason: Type.String({ minLength: 1, maxLength: 200 }),
    /** A rule can be kept in the file but switched off. */
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type FraudRule = Static<typeof FraudRule>;

/** The fraud scorer's rules file: rules as data, reloaded when the file changes. */
export const FraudRuleSet = Type.Object(
  {
    /** Bumped by whoever edits the rules; decisions carry it (with a hash of the content). */
    version: Type.String({ minLength: 1, maxLength: 64 }),
    rules: Type.Array(FraudRule, { maxItems: 500 }),
  },
  { additionalProperties: false },
);
export type FraudRuleSet = Static<typeof FraudRuleSet>;

/** `POST /v1/transactions?wait=true` on txn-api: answer with the decision instead of 202. */
export const TransactionSubmitQuery = Type.Object(
  {
    wait: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
  },
  { additionalProperties: false },
);
export type TransactionSubmitQuery = Static<typeof TransactionSubmitQuery>;

const Ratio = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
  description: 'null when its denominator is 0',
});

/**
 * Whether a group of decisions' labels have matured enough to judge it:
 * `known` when at least the monitor's `MIN_LABEL_COVERAGE` of its eventual
 * chargebacks are expected to have arrived; `not yet known` below (its
 * precision, recall and ECE are then null, not 0); `no decisions`.
 */
export const LabelStatus = Type.Union([
  Type.Literal('known'),
  Type.Literal('not yet known'),
  Type.Literal('no decisions'),
]);
export type LabelStatus = Static<typeof LabelStatus>;

/** Tallies and ratios of a group of decisions against the chargebacks received so far. */
const LabelledQuality = {
  decisions: Type.Integer({ minimum: 0 }),
  /** Decisions that were not `approve` (the pipeline flagged them). */
  flagged: Type.Integer({ minimum: 0 }),
  /** Decisions whose transaction has been charged back so far. */
  frauds: Type.Integer({ minimum: 0 }),
  truePositives: Type.Integer({ minimum: 0 }),
  /** null when its denominator is 0 or the labels are not yet known. */
  precision: Ratio,
  recall: Ratio,
  /** Share of the decisions' eventual chargebacks expected to have arrived (from the delay distribution); null with no decisions. */
  labelCoverage: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
  status: LabelStatus,
};

/** Precision and recall of one sliding window of decisions, against the chargebacks received so far. */
export const QualityWindow = Type.Object({
  window: Type.String({
    description: 'e.g. 1h, 24h, 7d (of decision event time, ending at the stream time)',
  }),
  ...LabelledQuality,
});
export type QualityWindow = Static<typeof QualityWindow>;

export const FeatureDrift = Type.Object({
  feature: Type.String(),
  psi: Type.Number({ minimum: 0 }),
  alarm: Type.Boolean(),
});
export type FeatureDrift = Static<typeof FeatureDrift>;

export const ReliabilityBin = Type.Object({
  /** Scores in [lower, upper). */
  lower: Type.Number(),
  upper: Type.Number(),
  count: Type.Integer({ minimum: 0 }),
  meanScore: Type.Union([Type.Number(), Type.Null()]),
  /** Charged back so far / count; null when empty or the labels are not yet known. */
  fraudRate: Type.Union([Type.Number(), Type.Null()]),
});
export type ReliabilityBin = Static<typeof ReliabilityBin>;

/**
 * Quality, reliability bins and ECE of the decisions of one age band at the
 * stream time: cohort `7d-14d` holds those decided 7 to 14 days before it.
 */
export const QualityCohort = Type.Object({
  cohort: Type.String({ description: 'decision age at the stream time, e.g. 0-7d, 7d-14d' }),
  /** Ages [minAgeMs, maxAgeMs): event time in (stream time - maxAgeMs, stream time - minAgeMs]. */
  minAgeMs: Type.Integer({ minimum: 0 }),
  maxAgeMs: Type.Integer({ minimum: 1 }),
  ...LabelledQuality,
  bins: Type.Array(ReliabilityBin),
  /** Expected calibration error; null when empty or the labels are not yet known. */
  ece: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
});
export type QualityCohort = Static<typeof QualityCohort>;

/** The chargeback delay distribution that label coverage is computed from. */
export const LabelDelay = Type.Object({
  /** `learned` from the chargebacks read (up to `learnedUpToMs`, the configured prior beyond), or the `prior` alone. */
  source: Type.Union([Type.Literal('learned'), Type.Literal('prior')]),
  /** Chargebacks read whose delay (report time - payment time) was counted. */
  chargebacks: Type.Integer({ minimum: 0 }),
  /** Latest chargeback report time read (ms): coverage is the share expected by then; null before the first. */
  labelTime: Type.Union([Type.Integer(), Type.Null()]),
  /** The longest delay the chargebacks read could show with enough support; null when the prior is used alone. */
  learnedUpToMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  medianMs: Type.Number({ minimum: 0 }),
  p90Ms: Type.Number({ minimum: 0 }),
  /** Coverage below which a group's quality is `not yet known`. */
  minCoverage: Type.Number({ minimum: 0, maximum: 1 }),
});
export type LabelDelay = Static<typeof LabelDelay>;

/** `GET /v1/report` on fraud-monitor. */
export const FraudMonitorReport = Type.Object({
  /** Latest decision event time seen (ms): windows and cohorts end here, so a replay reports like the live run did. */
  streamTime: Type.Union([Type.Integer(), Type.Null()]),
  quality: Type.Array(QualityWindow),
  /** Quality by decision age: the older cohorts are the ones whose labels have matured. */
  cohorts: Type.Array(QualityCohort),
  labelDelay: LabelDelay,
  drift: Type.Object({
    /** Transactions in the sliding sample the PSI is computed over. */
    sample: Type.Integer({ minimum: 0 }),
    /** PSI above which a feature alarms. */
    threshold: Type.Number(),
    /** No alarm is raised before the sample has this many transactions. */
    minSample: Type.Integer({ minimum: 0 }),
    features: Type.Array(FeatureDrift),
    alarms: Type.Array(Type.String()),
  }),
  calibration: Type.Object({
    window: Type.String(),
    /** Decisions in the window (labelled so far or not). */
    labelled: Type.Integer({ minimum: 0 }),
    bins: Type.Array(ReliabilityBin),
    /** Expected calibration error: the count-weighted mean gap between score and fraud rate. */
    ece: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    labelCoverage: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
    status: LabelStatus,
  }),
  modelVersion: Type.String(),
});
export type FraudMonitorReport = Static<typeof FraudMonitorReport>;

/** `GET /v1/entities/:kind/:id` on feature-engine: one entity's state as last checkpointed to Redis. */
export const FeatureEntityParams = Type.Object({
  kind: Type.Union([
    Type.Literal('card'),
    Type.Literal('terminal'),
    Type.Literal('device'),
    Type.Literal('ip'),
  ]),
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' }),
});
export type FeatureEntityParams = Static<typeof FeatureEntityParams>;

/** `GET /v1/status` on feature-engine. */
export const FeatureEngineStatus = Type.Object({
  featureSpecVersion: Type.String(),
  /** Entities held in memory, by kind. */
  entities: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  /** Kafka transactions committed since start. */
  batches: Type.Integer({ minimum: 0 }),
  /** Records fetched and waiting for the event-time merge. */
  bufferedRecords: Type.Integer({ minimum: 0 }),
  lastCheckpointAt: Type.Union([Type.Integer(), Type.Null()]),
  /** Partitions of `transactions` this instance owns and decides on the request path. */
  ownedPartitions: Type.Array(Type.Integer({ minimum: 0 })),
  /** Request-path decisions waiting for the stream to log them. */
  unloggedDecisions: Type.Integer({ minimum: 0 }),
});
export type FeatureEngineStatus = Static<typeof FeatureEngineStatus>;

/** `GET /v1/rules` on fraud-scorer: the rules in force and the version decisions carry. */
export const ActiveRules = Type.Object({
  rulesVersion: Type.String(),
  ruleSet: FraudRuleSet,
});
export type ActiveRules = Static<typeof ActiveRules>;
