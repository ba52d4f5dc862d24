import type { Decision, EnrichedTransaction } from '@mlsys/contracts';
import type { StreamOutput, StreamRecord, StreamTask } from '@mlsys/kafka/stream';
import type { Thresholds } from './decide.js';
import type { FraudModel } from './ports.js';
import type { FiredRule, RuleBook } from './rules.js';
import { featureMismatch, scoreBatch } from './score-batch.js';

export interface ScoringObserver {
  /** `fired[i]` are the rules that fired for `decisions[i]`. */
  scored?(decisions: readonly Decision[], fired: readonly (readonly FiredRule[])[], modelMs: number): void;
  /**
   * Decisions the partition's owner made on the request path: `logged` by the
   * scorer as they were answered, or `skipped` because the owner logged them.
   */
  requestPath?(decisions: readonly Decision[], by: 'scorer' | 'owner'): void;
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
 * the rules per transaction, one decision each. A payment already decided
 * on the request path arrives with its decision: skipped when its owner
 * logged it (`decisionLogged`), else logged unchanged, since the caller's
 * answer and the log must agree. Stateless, so a restart simply resumes
 * from the committed offsets.
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
    const toScore: StreamRecord<EnrichedTransaction>[] = [];
    const decided: Decision[] = [];
    const loggedByOwner: Decision[] = [];
    const deadLetters: Array<{ record: StreamRecord<EnrichedTransaction>; reason: string }> = [];
    for (const record of records) {
      const { featureSpecVersion, features, decision, decisionLogged } = record.value;
      if (decision) {
        (decisionLogged ? loggedByOwner : decided).push(decision);
        continue;
      }
      const mismatch = featureMismatch(model, featureSpecVersion, features);
      if (mismatch) deadLetters.push({ record, reason: mismatch });
      else toScore.push(record);
    }
    const scored = await scoreBatch(
      toScore.map((record) => record.value),
      {
        model,
        rules: this.options.rules(),
        thresholds: this.options.thresholds,
        decidedAt: this.clock(),
      },
    );
    if (toScore.length > 0) this.options.observer?.scored?.(scored.decisions, scored.fired, scored.modelMs);
    if (decided.length > 0) this.options.observer?.requestPath?.(decided, 'scorer');
    if (loggedByOwner.length > 0) this.options.observer?.requestPath?.(loggedByOwner, 'owner');
    return {
      messages: [
        {
          topic: this.options.decisionsTopic,
          messages: [...decided, ...scored.decisions].map((decision) => ({
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
