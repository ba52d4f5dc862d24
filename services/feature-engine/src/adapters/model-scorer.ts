import type { Decision, Transaction } from '@mlsys/contracts';
import {
  type FraudModel,
  type RuleBook,
  type Scorable,
  scoreBatch,
  type Thresholds,
} from '@mlsys/fraud-scorer/decider';
import { MicroBatcher } from '../domain/micro-batcher.js';
import type { PaymentScorer } from '../domain/request-path.js';

export interface ModelScorerOptions {
  model: FraudModel;
  rules: () => RuleBook;
  thresholds: Thresholds;
  /** Requests arriving within this many ms share one ONNX call; 0: one call per payment. */
  batchWindowMs: number;
  clock?: () => number;
  /** Each model call: rows and time, for metrics. */
  onCall?(rows: number, modelMs: number): void;
}

/** The scorer's rules and model, in-process at the partition owner, with concurrent payments micro-batched. */
export class ModelScorer implements PaymentScorer {
  private readonly batcher: MicroBatcher<Scorable, Decision>;

  constructor(options: ModelScorerOptions) {
    const clock = options.clock ?? Date.now;
    this.batcher = new MicroBatcher(async (items) => {
      const scored = await scoreBatch(items, {
        model: options.model,
        rules: options.rules(),
        thresholds: options.thresholds,
        decidedAt: clock(),
      });
      options.onCall?.(items.length, scored.modelMs);
      return scored.decisions;
    }, options.batchWindowMs);
  }

  score(transaction: Transaction, features: readonly number[]): Promise<Decision> {
    return this.batcher.submit({ transaction, features });
  }
}
