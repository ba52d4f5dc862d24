import type { Decision, Transaction } from '@mlsys/contracts';
import type { FraudFeatureEngine } from '@mlsys/fraud-core';
import { newFeatureVector } from '@mlsys/fraud-core';
import type { PartitionProgress } from './partition-progress.js';

/** A payment decided on the request path, kept until the stream has logged it. */
export interface DecidedPayment {
  transactionId: string;
  partition: number;
  offset: bigint;
  decision: Decision;
  /** The features the decision was made from: the stream logs these, not a recomputation. */
  features: number[];
}

/** Appends a payment to the payments topic and says where it landed (acks=all). */
export interface PaymentLog {
  append(transaction: Transaction): Promise<{ partition: number; offset: bigint }>;
}

/** Rules and model for one payment (micro-batched with concurrent ones). */
export interface PaymentScorer {
  score(transaction: Transaction, features: readonly number[]): Promise<Decision>;
}

/**
 * Where answered decisions wait, durably, for the stream to log them: a
 * crash or a partition move between the answer and the stream's commit must
 * not let the log hold a different decision than the caller got.
 */
export interface DecisionJournal {
  save(payment: DecidedPayment): Promise<void>;
  forget(payments: ReadonlyArray<Pick<DecidedPayment, 'partition' | 'transactionId'>>): Promise<void>;
  load(partitions: readonly number[]): Promise<DecidedPayment[]>;
}

export class NotOwnerError extends Error {
  constructor(readonly partition: number) {
    super(`partition ${partition} of the payments topic is not owned by this instance (any longer)`);
    this.name = 'NotOwnerError';
  }
}

export class NotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotReadyError';
  }
}

/**
 * `producing`/`waiting`: appended, not applied yet (if the stream reaches it
 * first, the stream applies and decides it); `scoring`: applied here, the
 * model is running; `stream`: the stream applied it and decides it;
 * `decided`: the answer exists and waits to be logged.
 */
type Phase = 'producing' | 'waiting' | 'scoring' | 'stream' | 'decided';

/** The steps of a request-path decision, as reported in `Server-Timing`. */
export type RequestPhase = 'append' | 'wait' | 'score' | 'journal';

class Pending {
  phase: Phase = 'producing';
  /** Known once appended. */
  partition: number | undefined;
  decided: DecidedPayment | undefined;
  readonly done: Promise<DecidedPayment>;
  private settle!: (payment: DecidedPayment) => void;
  private fail!: (error: Error) => void;

  constructor(
    readonly transactionId: string,
    /** Absent for an answer restored from the journal: only logged, never applied here. */
    readonly transaction?: Transaction,
  ) {
    this.done = new Promise<DecidedPayment>((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
    this.done.catch(() => {});
  }

  resolve(payment: DecidedPayment): void {
    this.phase = 'decided';
    this.decided = payment;
    this.settle(payment);
  }

  /**
   * Its answer failed. Every other rejection also removes it from the map, so one still there was
   * applied and then not decided (the model or the journal failed): only a rebuilt engine can decide it.
   */
  failed = false;

  reject(error: Error): void {
    this.failed = true;
    this.fail(error);
  }
}

export interface RequestPathOptions {
  progress: PartitionProgress;
  /** The live engine (replaced on every restore). */
  engine: () => FraudFeatureEngine;
  log: PaymentLog;
  scorer: PaymentScorer;
  journal: DecisionJournal;
  /** The payments topic's partition of a card (the producer's partitioner). */
  partitionOf: (cardId: string) => number;
  /** Longest wait for the card's earlier payments to be applied before giving the payment to the stream. */
  waitMs: number;
  /** A logged answer's journal entry could not be deleted (it is dropped as stale at the next restore). */
  onForgetFailed?(error: Error): void;
}

/** What the stream must log for a payment the request path has touched. */
export type StreamClaim =
  | { kind: 'decided'; payment: DecidedPayment }
  | { kind: 'awaiting'; done: Promise<DecidedPayment> }
  | { kind: 'decide-inline'; pending: PendingDecision };

/** A payment the stream decides on behalf of a waiting request. */
export type PendingDecision = Pending;

/**
 * The synchronous decision at the card's partition owner (the pattern Kafka
 * Streams calls interactive queries, applied on request): the payment is
 * appended to its partition, applied to the live engine as soon as every
 * earlier offset of that partition is, scored with the model in-process,
 * journalled, and answered. The stream's later copy of the payment is a
 * duplicate for the engine; the stream logs the answered decision with the
 * features it came from, so the log holds exactly one decision per payment,
 * equal to the answer. No Kafka commit is on the request's path.
 */
export class RequestPath {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly options: RequestPathOptions) {}

  /** Whether the request path holds this payment (appended, deciding or decided): the stream's copy is its own. */
  holds(transactionId: string): boolean {
    return this.pending.has(transactionId);
  }

  /** Decisions answered (or being decided) and not yet logged by the stream. */
  get unlogged(): number {
    return this.pending.size;
  }

  /**
   * `lap(phase)` is told as each phase ends (append, wait, score, journal): where a request's time
   * went. With `budgetMs`, a payment appended but not decided by then is answered NotReadyError at
   * once (it stays the stream's to decide and log), so the caller learns it is in the log and need
   * not publish a copy of it; one not even appended by then is answered when decided, as without.
   */
  decide(
    transaction: Transaction,
    lap: (phase: RequestPhase) => void = () => {},
    budgetMs?: number,
  ): Promise<Decision> {
    const decided = this.decideInTurn(transaction, lap);
    if (budgetMs === undefined) return decided;
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const partition = this.pending.get(transaction.transactionId)?.partition;
        if (partition === undefined) return;
        reject(
          new NotReadyError(
            `not decided within the caller's ${budgetMs} ms; the payment is in partition ${partition}, the stream logs its decision`,
          ),
        );
      }, budgetMs);
    });
    outOfTime.catch(() => {});
    return Promise.race([decided, outOfTime]).finally(() => clearTimeout(timer));
  }

  private async decideInTurn(
    transaction: Transaction,
    lap: (phase: RequestPhase) => void,
  ): Promise<Decision> {
    const { progress } = this.options;
    const expected = this.options.partitionOf(transaction.cardId);
    if (!progress.owns(expected)) throw new NotOwnerError(expected);
    const known = this.pending.get(transaction.transactionId);
    if (known) return (await known.done).decision;

    const pending = new Pending(transaction.transactionId, transaction);
    this.pending.set(transaction.transactionId, pending);
    try {
      const position = await this.options.log.append(transaction);
      lap('append');
      pending.partition = position.partition;
      progress.appended(position.partition, position.offset);
      if (pending.phase === 'producing') {
        pending.phase = 'waiting';
        const earlier = await progress.waitForEarlier(
          position.partition,
          position.offset,
          transaction.cardId,
          this.options.waitMs,
        );
        lap('wait');
        // Meanwhile the stream may have reached the payment itself: it decides it then.
        if (pending.phase === 'waiting') {
          if (earlier !== 'applied') {
            throw new NotReadyError(
              earlier === 'moved'
                ? `partition ${position.partition} moved while the payment waited; the stream decides it`
                : `the card's earlier payments were not applied within ${this.options.waitMs} ms; the stream decides it`,
            );
          }
          await this.applyAndScore(pending, position.partition, position.offset, lap);
        }
      }
      return (await pending.done).decision;
    } catch (error) {
      // A payment still on an owned partition stays the stream's to decide and log: only the answer is given up.
      const owned = pending.partition !== undefined && progress.owns(pending.partition);
      if (pending.phase === 'producing' || (pending.phase === 'waiting' && !owned))
        this.pending.delete(transaction.transactionId);
      throw error;
    }
  }

  private async applyAndScore(
    pending: Pending,
    partition: number,
    offset: bigint,
    lap: (phase: RequestPhase) => void,
  ): Promise<void> {
    const transaction = pending.transaction!;
    const scratch = newFeatureVector();
    const applied = this.options.engine().apply(transaction, scratch);
    if (applied.status === 'duplicate') {
      // The same id was applied before under another offset (a resubmission): nothing new to decide.
      this.pending.delete(pending.transactionId);
      pending.reject(new NotReadyError('the payment was already applied; its decision is the logged one'));
      return;
    }
    pending.phase = 'scoring';
    const features = Array.from(scratch);
    try {
      const decision = await this.options.scorer.score(transaction, features);
      lap('score');
      const payment = { transactionId: pending.transactionId, partition, offset, decision, features };
      await this.options.journal.save(payment);
      lap('journal');
      pending.resolve(payment);
    } catch (error) {
      pending.reject(error as Error);
      throw error;
    }
  }

  /**
   * Called by the stream for each payment it processes (not replays), after
   * applying it: whether the request path has touched it, and so what to log.
   */
  claim(transactionId: string): StreamClaim | undefined {
    const pending = this.pending.get(transactionId);
    if (!pending) return undefined;
    if (pending.decided) return { kind: 'decided', payment: pending.decided };
    if (pending.phase === 'scoring' || pending.phase === 'stream')
      return { kind: 'awaiting', done: pending.done };
    pending.phase = 'stream';
    return { kind: 'decide-inline', pending };
  }

  /** The stream decided a payment the request path had appended but not applied: journal it, answer the waiting request. */
  async decidedByStream(pending: PendingDecision, payment: DecidedPayment): Promise<void> {
    await this.options.journal.save(payment);
    pending.resolve(payment);
  }

  /** The stream could not decide it (its batch failed): the waiting request gives up; the retry logs it. */
  streamFailed(pending: PendingDecision, error: Error): void {
    this.pending.delete(pending.transactionId);
    pending.reject(error);
  }

  /**
   * The stream's transaction with these decisions committed: they are in the
   * log. Deleting their journal entries is housekeeping, so a Redis that does
   * not answer must not fail the committed batch (the stream would rewind
   * and replay it): an entry left behind sits below the committed offset and
   * is dropped at the next restore.
   */
  async logged(payments: readonly DecidedPayment[]): Promise<void> {
    if (payments.length === 0) return;
    for (const payment of payments) this.pending.delete(payment.transactionId);
    await this.options.journal.forget(payments).catch((error: Error) => this.options.onForgetFailed?.(error));
  }

  /**
   * After a restore: the journalled answers of the owned partitions that the
   * stream has not logged yet (those past the committed offsets) come back,
   * so the stream logs them as answered; entries of partitions now owned by
   * another instance are dropped (that owner loads them from the journal).
   */
  async restored(committed: ReadonlyMap<number, bigint>): Promise<number> {
    for (const [id, pending] of this.pending) {
      if (pending.failed) {
        // Applied to the old engine, never decided: the rebuilt engine replays it as the stream's own.
        this.pending.delete(id);
      } else if (pending.partition !== undefined && !committed.has(pending.partition)) {
        this.pending.delete(id);
        pending.reject(new NotReadyError('the partition was reassigned before the payment was applied'));
      }
    }
    const journalled = await this.options.journal.load([...committed.keys()]);
    const stale: DecidedPayment[] = [];
    for (const payment of journalled) {
      if (payment.offset < (committed.get(payment.partition) ?? 0n)) stale.push(payment);
      else if (!this.pending.has(payment.transactionId)) {
        const pending = new Pending(payment.transactionId);
        pending.partition = payment.partition;
        pending.resolve(payment);
        this.pending.set(payment.transactionId, pending);
      }
    }
    await this.options.journal.forget(stale);
    return journalled.length - stale.length;
  }
}
