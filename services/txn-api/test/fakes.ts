import type { Decision, PartitionOwner, Transaction } from '@mlsys/contracts';
import {
  type DecisionStore,
  type OwnerAnswer,
  OwnerCallError,
  type OwnerDecider,
  type OwnerDirectory,
  type RulesOnlyDecider,
  type TransactionPublisher,
} from '../src/domain/ports.js';
import { transactionFingerprint } from '../src/domain/transaction-fingerprint.js';
import type { Admission, TransactionLedger } from '../src/domain/transaction-ledger.js';

/** In-memory stand-ins for the unit tests; the integration test uses the real adapters. */
export class RecordingPublisher implements TransactionPublisher {
  readonly published: Transaction[] = [];
  /** What the rest of the pipeline does with a published transaction, if anything. */
  onPublish: ((transaction: Transaction) => void) | undefined;
  /** The next publish fails with this, like a broker that is down, and publishes nothing. */
  failNext: Error | undefined;
  async publish(transaction: Transaction): Promise<void> {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
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

/** The Redis ledger's states in a map (no expiry); `test/ledger-contract.ts` holds both to the same behaviour. */
export class MemoryTransactionLedger implements TransactionLedger {
  readonly entries = new Map<string, { state: 'in-flight' | 'produced'; fingerprint: string }>();
  async admit(transaction: Transaction): Promise<Admission> {
    const fingerprint = transactionFingerprint(transaction);
    const entry = this.entries.get(transaction.transactionId);
    if (!entry) {
      this.entries.set(transaction.transactionId, { state: 'in-flight', fingerprint });
      return 'new';
    }
    if (entry.fingerprint !== fingerprint) return 'conflict';
    return entry.state === 'in-flight' ? 'in-flight' : 'repeat';
  }
  async confirm(transaction: Transaction): Promise<void> {
    const fingerprint = transactionFingerprint(transaction);
    const entry = this.entries.get(transaction.transactionId);
    if (entry && !(entry.state === 'in-flight' && entry.fingerprint === fingerprint)) return;
    this.entries.set(transaction.transactionId, { state: 'produced', fingerprint });
  }
  async release(transaction: Transaction): Promise<void> {
    const entry = this.entries.get(transaction.transactionId);
    if (entry?.state === 'in-flight' && entry.fingerprint === transactionFingerprint(transaction))
      this.entries.delete(transaction.transactionId);
  }
}

/** Announced partition owners, all partitions in one map; `refresh` applies what `next` holds. */
export class StubOwners implements OwnerDirectory {
  refreshes = 0;
  next: string | undefined;
  /** `null`: no owner is announced. */
  constructor(private url: string | null = 'http://owner-a') {}
  partitionOf(): number {
    return 0;
  }
  ownerOf(partition: number): PartitionOwner | undefined {
    return this.url === null
      ? undefined
      : { partition, url: this.url, instance: this.url, generation: 1, announcedAt: 0 };
  }
  async refresh(): Promise<void> {
    this.refreshes += 1;
    if (this.next !== undefined) this.url = this.next;
  }
}

/** An owner per URL: `decide` answers as the model would, or as `behaviour` says for that URL. */
export class StubOwnerDecider implements OwnerDecider {
  readonly asked: Array<{ url: string; transaction: Transaction }> = [];
  readonly behaviour = new Map<string, 'not-owner' | 'late'>();
  async decide(url: string, transaction: Transaction, deadlineMs: number): Promise<OwnerAnswer> {
    this.asked.push({ url, transaction });
    const behaviour = this.behaviour.get(url);
    if (behaviour === 'not-owner') throw new OwnerCallError('moved', `${url} does not own partition 0`);
    if (behaviour === 'late') {
      await new Promise((resolve) => setTimeout(resolve, deadlineMs));
      throw new OwnerCallError('late', `${url} did not answer within ${deadlineMs} ms`);
    }
    return { decision: decisionFor(transaction), phases: [{ name: 'decide', ms: 1.5 }] };
  }
}
