import type { EnrichedTransaction, Transaction } from '@mlsys/contracts';
import { FEATURE_SPEC_VERSION, type FraudFeatureEngine } from '@mlsys/fraud-core';
import type { AssignedPartition, Rewind, StreamOutput, StreamRecord, StreamTask } from '@mlsys/kafka/stream';
import { offsetKey, rewindsFor } from './checkpoints.js';
import { type EnrichmentTally, enrich } from './enrich.js';
import type { EngineEvent } from './events.js';
import type { PartitionProgress } from './partition-progress.js';
import type { Checkpointer, CommittedBatch, FeatureStateStore } from './ports.js';
import { type DecidedPayment, NotReadyError, type PaymentScorer, type RequestPath } from './request-path.js';

/** What the task reports, for metrics and logs. */
export interface FeatureTaskObserver {
  restored?(entities: number, rewinds: readonly Rewind[]): void;
  applied?(tally: EnrichmentTally, enrichedAt: number, eventTimes: readonly number[]): void;
}

export interface FeatureTaskOptions {
  /** Where the last completed checkpoint is read from on every assignment. */
  store: Pick<FeatureStateStore, 'load'>;
  /** Keeps that checkpoint up to date from the committed batches. */
  checkpointer: Checkpointer;
  /** A fresh, empty engine (with its terminal directory). */
  newEngine: () => FraudFeatureEngine;
  enrichedTopic: string;
  clock?: () => number;
  observer?: FeatureTaskObserver;
  /** Decisions on the request path for the owned partitions (absent: the stream only enriches). */
  requests?: OwnerRequests;
}

/** What the task shares with the request path at the partition owner. */
export interface OwnerRequests {
  paymentsTopic: string;
  /** Where the answered decisions are logged, in the batch's own transaction. */
  decisionsTopic: string;
  path: RequestPath;
  progress: PartitionProgress;
  /** Decides payments the stream reached before their waiting request could apply them. */
  scorer: PaymentScorer;
  /** Told the owned partitions of the payments topic after every restore (to announce them). */
  onAssigned?(partitions: readonly number[]): void;
}

/**
 * The feature engine as a stream task. The hot state (one fraud-core engine)
 * lives in memory and is all a batch touches; the checkpointer persists it
 * beside the stream. On every assignment the engine is rebuilt from the
 * last completed checkpoint and the partitions rewound to it, so what came
 * after is replayed silently: counted once, emitted once.
 */
export class FeatureTask implements StreamTask<EngineEvent> {
  private engine_: FraudFeatureEngine;
  /** The batch in hand: handed to the checkpointer once its transaction has committed. */
  private uncommitted: CommittedBatch | undefined;
  /** Request-path decisions the batch in hand logs. */
  private logging: DecidedPayment[] = [];
  private readonly clock: () => number;

  constructor(private readonly options: FeatureTaskOptions) {
    this.clock = options.clock ?? Date.now;
    this.engine_ = options.newEngine();
  }

  /** The live engine (replaced on every restore). */
  get engine(): FraudFeatureEngine {
    return this.engine_;
  }

  /** Entities held in memory, by kind. */
  size(): ReturnType<FraudFeatureEngine['size']> {
    return this.engine_.size();
  }

  async restore(assignment: readonly AssignedPartition[]): Promise<readonly Rewind[]> {
    this.uncommitted = undefined;
    this.logging = [];
    // No request is decided on a partition while its state is rebuilt (or after it moved away).
    this.options.requests?.progress.clear();
    // The replica goes back to the same checkpoint (and finishes any write first, so both read the same).
    await this.options.checkpointer.restore();
    const stored = await this.options.store.load();
    const engine = this.options.newEngine();
    for (const [ref, snapshot] of stored.entities) engine.restore(ref, snapshot);
    this.engine_ = engine;
    const rewinds = rewindsFor(assignment, stored.offsets);
    await this.ownPartitions(assignment, rewinds);
    this.options.observer?.restored?.(stored.entities.length, rewinds);
    return rewinds;
  }

  /** The request path takes the payment partitions over from where the stream will start reading them. */
  private async ownPartitions(assignment: readonly AssignedPartition[], rewinds: readonly Rewind[]) {
    const requests = this.options.requests;
    if (!requests) return;
    const next = new Map<number, bigint>();
    const committed = new Map<number, bigint>();
    for (const partition of assignment) {
      if (partition.topic !== requests.paymentsTopic) continue;
      const from = partition.committed ?? partition.start;
      const rewind = rewinds.find((r) => r.topic === partition.topic && r.partition === partition.partition);
      next.set(partition.partition, rewind && rewind.offset < from ? rewind.offset : from);
      committed.set(partition.partition, from);
    }
    await requests.path.restored(committed);
    requests.progress.assign(next);
    requests.onAssigned?.([...next.keys()].sort((a, b) => a - b));
  }

  process(
    records: readonly StreamRecord<EngineEvent>[],
  ): StreamOutput<EngineEvent> | Promise<StreamOutput<EngineEvent>> {
    const enrichedAt = this.clock();
    const { enriched, duplicates, tally } = enrich(
      this.engine_,
      records.map((record) => ({ event: record.value, replay: record.replay })),
      enrichedAt,
    );
    this.uncommitted = { events: records.map((r) => r.value), offsets: lastOffsets(records) };
    const output = (messages: EnrichedTransaction[]) => {
      this.options.observer?.applied?.(
        tally,
        enrichedAt,
        messages.map((e) => e.transaction.eventTime),
      );
      return this.toOutput(messages);
    };
    if (!this.options.requests) return output(enriched);
    return this.withRequestDecisions(records, enriched, duplicates, enrichedAt).then(output);
  }

  /** Payments just fetched, waiting in the stream's buffers: requests of the same card wait for them. */
  fetched(records: readonly StreamRecord<EngineEvent>[]): void {
    const requests = this.options.requests;
    if (!requests) return;
    for (const record of records) {
      if (record.value.kind !== 'transaction') continue;
      const { cardId, transactionId } = record.value.transaction;
      // A copy of a payment already applied (a fallback's duplicate) changes nothing: nobody need wait for it.
      const known = requests.path.holds(transactionId) || this.engine_.holds(cardId, transactionId);
      requests.progress.fetched(record.partition, record.offset, known ? undefined : cardId);
    }
  }

  /**
   * The enriched records, and the decisions answered on the request path: the
   * owner that answered logs them in the batch's transaction, with the
   * enriched records and the offsets, so each is in `decisions` exactly once
   * and one commit after the stream reached the payment (the scorer skips them).
   */
  private toOutput(enriched: readonly EnrichedTransaction[]): StreamOutput<EngineEvent> {
    const messages: StreamOutput<EngineEvent>['messages'] = [
      {
        topic: this.options.enrichedTopic,
        messages: enriched.map((e) => ({
          key: e.transaction.cardId,
          value: e,
          timestamp: e.transaction.eventTime,
        })),
      },
    ];
    const requests = this.options.requests;
    const answered = enriched.filter((e) => e.decisionLogged === true && e.decision !== undefined);
    if (requests && answered.length > 0)
      messages.push({
        topic: requests.decisionsTopic,
        messages: answered.map((e) => ({
          key: e.transaction.cardId,
          value: e.decision!,
          timestamp: e.transaction.eventTime,
        })),
      });
    return { messages };
  }

  /**
   * The request path's side of a batch: the partitions' progress moves on,
   * payments answered on the request path are logged with the features and
   * decision the caller got, and payments the stream reached before their
   * waiting request are decided here, so the request gets this decision.
   */
  private async withRequestDecisions(
    records: readonly StreamRecord<EngineEvent>[],
    applied: EnrichedTransaction[],
    duplicates: readonly Transaction[],
    enrichedAt: number,
  ): Promise<EnrichedTransaction[]> {
    const { path, progress, scorer } = this.options.requests!;
    const positions = new Map<string, StreamRecord<EngineEvent>>();
    for (const record of records) {
      if (record.value.kind !== 'transaction') continue;
      progress.applied(record.partition, record.offset, record.value.transaction.cardId);
      positions.set(record.value.transaction.transactionId, record);
    }
    // A payment can come twice in one batch (a copy published by txn-api's fallback): logged once.
    const loggedHere = new Set<string>();
    const logged = (transaction: Transaction, payment: DecidedPayment): EnrichedTransaction => {
      loggedHere.add(payment.transactionId);
      this.logging.push(payment);
      return {
        transaction,
        featureSpecVersion: FEATURE_SPEC_VERSION,
        features: payment.features,
        enrichedAt,
        decision: payment.decision,
        decisionLogged: true,
      };
    };
    const out: Array<EnrichedTransaction | Promise<EnrichedTransaction>> = [];
    const claimedHere = new Set<string>();
    for (const item of applied) {
      const claim = path.claim(item.transaction.transactionId);
      if (claim) claimedHere.add(item.transaction.transactionId);
      if (!claim) out.push(item);
      else if (claim.kind === 'decided') out.push(logged(item.transaction, claim.payment));
      else if (claim.kind === 'awaiting')
        out.push(claim.done.then((payment) => logged(item.transaction, payment)));
      else {
        const record = positions.get(item.transaction.transactionId)!;
        out.push(
          scorer
            .score(item.transaction, item.features)
            .then(async (decision) => {
              const payment: DecidedPayment = {
                transactionId: item.transaction.transactionId,
                partition: record.partition,
                offset: record.offset,
                decision,
                features: item.features,
              };
              await path.decidedByStream(claim.pending, payment);
              return logged(item.transaction, payment);
            })
            // The model or the journal failed (Redis failing over): the waiting request is told, and
            // the payment is no longer the request path's, so the replay after the restore decides it
            // as the stream's own. Left pending, it stayed "being decided by the stream" for ever and
            // every later batch that met it waited on it: the stream stalled in a kill drill.
            .catch((error: Error) => {
              path.streamFailed(claim.pending, error);
              throw error;
            }),
        );
      }
    }
    for (const transaction of duplicates) {
      if (loggedHere.has(transaction.transactionId) || claimedHere.has(transaction.transactionId)) continue;
      const claim = path.claim(transaction.transactionId);
      // An `awaiting` claim is logged only when its decision resolves: a second record of the same
      // payment in this batch (txn-api's fallback copy) must not claim it again.
      if (claim) claimedHere.add(transaction.transactionId);
      if (claim?.kind === 'decided') out.push(logged(transaction, claim.payment));
      else if (claim?.kind === 'awaiting')
        out.push(claim.done.then((payment) => logged(transaction, payment)));
      else if (claim?.kind === 'decide-inline')
        path.streamFailed(
          claim.pending,
          // As the request path's own repeat: the earlier record's decision is the logged one (503, not 500).
          new NotReadyError(
            'the same transaction id was applied before from another record; its decision is the logged one',
          ),
        );
    }
    return Promise.all(out);
  }

  async afterCommit(): Promise<void> {
    if (this.uncommitted) this.options.checkpointer.committed(this.uncommitted);
    this.uncommitted = undefined;
    const logged = this.logging;
    this.logging = [];
    await this.options.requests?.path.logged(logged);
  }

  async close(): Promise<void> {
    await this.options.checkpointer.close();
  }
}

function lastOffsets(records: readonly StreamRecord<EngineEvent>[]): Array<[string, bigint]> {
  const last = new Map<string, bigint>();
  for (const record of records) {
    const key = offsetKey(record.topic, record.partition);
    if (record.offset > (last.get(key) ?? -1n)) last.set(key, record.offset);
  }
  return [...last];
}
