import type { Decision, Transaction } from '@mlsys/contracts';
import type { DecisionStore, TransactionPublisher } from '../src/domain/ports.js';

/** In-memory stand-ins for the unit tests; the integration test uses the real adapters. */
export class RecordingPublisher implements TransactionPublisher {
  readonly published: Transaction[] = [];
  async publish(transaction: Transaction): Promise<void> {
    this.published.push(transaction);
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
