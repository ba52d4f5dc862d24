import type { Decision, EnrichedTransaction } from '@mlsys/contracts';
import type { StreamOutput, StreamRecord, StreamTask } from '@mlsys/kafka/stream';
import { decide, type Thresholds } from './decide.js';
import type { FraudModel } from './ports.js';
import type { FiredRule, RuleBook } from './rules.js';

export interface ScoringObserver {
  /** `fired[i]` are the rules that fired for `decisions[i]`. */
  scored?(decisions: readonly Decision[], fired: readonly (readonly FiredRule[])[], modelMs: number): void;
}

export interface ScoringTaskOptions {
  model: FraudModel;
  /** The rules in force now (they are reloaded while the scorer runs). */
  rules: () => RuleBook;
  thresholds: Thresholds;
  decisionsTopic: string;
  clock?: () => number;
  observer?: ScoringObserver;
}

/**
 * Scores enriched transactions batch by batch: one model call per batch,
 * the rules per transaction, one decision each. Stateless, so a restart
 * simply resumes from the committed offsets.
 */
export class ScoringTask implements StreamTask<EnrichedTransaction> {
  private readonly clock: () => number;

  constructor(private readonly options: ScoringTaskOptions) {
    this.clock = options.clock ?? Date.now;
  }

  async process(
    records: readonly StreamRecord<EnrichedTransaction>[],
  ): Promise<StreamOutput<EnrichedTransaction>> {
    const { model } = this.options;
    const accepted: StreamRecord<EnrichedTransaction>[] = [];
    const deadLetters: Array<{ record: StreamRecord<EnrichedTransaction>; reason: string }> = [];
    for (const record of records) {
      const { featureSpecVersion, features } = record.value;
      if (featureSpecVersion !== model.featureSpecVersion || features.length !== model.featureCount) {
        deadLetters.push({
          record,
          reason: `features: spec ${featureSpecVersion} with ${features.length} values, the model ${model.version} reads ${model.featureSpecVersion} with ${model.featureCount}`,
        });
      } else {
        accepted.push(record);
      }
    }
    const matrix = new Float32Array(accepted.length * model.featureCount);
    accepted.forEach((record, row) => {
      matrix.set(record.value.features, row * model.featureCount);
    });
    const modelStarted = performance.now();
    const scores = accepted.length > 0 ? await model.predict(matrix, accepted.length) : new Float64Array(0);
    const modelMs = performance.now() - modelStarted;
    // One rule set for the whole batch, even if the file is reloaded meanwhile.
    const rules = this.options.rules();
    const context = {
      thresholds: this.options.thresholds,
      modelVersion: model.version,
      rulesVersion: rules.version,
      decidedAt: this.clock(),
    };
    const fired = accepted.map(({ value }) => rules.evaluate(value.transaction, value.features));
    const decisions = accepted.map(({ value }, row) =>
      decide(value.transaction, scores[row]!, fired[row]!, context),
    );
    this.options.observer?.scored?.(decisions, fired, modelMs);
    return {
      messages: [
        {
          topic: this.options.decisionsTopic,
          messages: decisions.map((decision) => ({
            key: decision.cardId,
            value: decision,
            timestamp: decision.eventTime,
          })),
        },
      ],
      deadLetters,
    };
  }
}
