import type { Decision, Transaction } from '@mlsys/contracts';
import type { DecisionStore, RulesOnlyDecider, TransactionPublisher } from '../src/domain/ports.js';

/** In-memory stand-ins for the unit tests; the integration test uses the real adapters. */
export class RecordingPublisher implements TransactionPublisher {
  readonly published: Transaction[] = [];
  /** What the rest of the pipeline does with a published transaction, if anything. */
  onPublish: ((transaction: Transaction) => void) | undefined;
  async publish(transaction: Transaction): Promise<void> {
    this.published.push(transaction);
    this.onPublish?.(transaction);
  }
}

/** The scorer's rules-only endpoint: answers `review` with one reason, or fails like a scorer that is down. */
export class StubRulesOnly implements RulesOnlyDecider {
  readonly asked: Transaction[] = [];
  constructor(private readonly failure?: string) {}
  async decide(transaction: Transaction): Promise<Decision> {
    this.asked.push(transaction);
    if (this.failure) throw new Error(this.failure);
    return {
      ...decisionFor(transaction),
      decision: 'review',
      mode: 'rules-only',
      reasons: ['rule high-amount: big'],
    };
  }
}

export class MemoryDecisionStore implements DecisionStore {
  private readonly byId = new Map<string, Decision>();
  async get(id: string) {
    return this.byId.get(id);
  }
  async put(decisions: readonly Decision[]) {
    for (const d of decisions) this.byId.set(d.transactionId, d);
  }
}

export const validTransaction = (overrides: Partial<Transaction> = {}): Transaction => ({
  transactionId: 'tx-1',
  eventTime: 1_700_000_000_000,
  cardId: 'card-1',
  terminalId: 'term-1',
  amount: 42.5,
  currency: 'EUR',
  channel: 'pos',
  merchantCategory: '5411',
  ...overrides,
});

export const decisionFor = (transaction: Transaction): Decision => ({
  transactionId: transaction.transactionId,
  cardId: transaction.cardId,
  decision: 'approve',
  score: 0.01,
  reasons: [],
  mode: 'full',
  modelVersion: 'test-model',
  rulesVersion: 'test-rules',
  eventTime: transaction.eventTime,
  decidedAt: transaction.eventTime + 12,
});
