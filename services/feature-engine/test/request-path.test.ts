import type { Decision, Transaction } from '@mlsys/contracts';
import { featureRecord } from '@mlsys/fraud-core';
import { describe, expect, it } from 'vitest';
import { CheckpointReplica } from '../src/domain/checkpoint-replica.js';
import { FeatureTask } from '../src/domain/feature-task.js';
import { InlineCheckpointer } from '../src/domain/inline-checkpointer.js';
import { MicroBatcher } from '../src/domain/micro-batcher.js';
import { PartitionProgress } from '../src/domain/partition-progress.js';
import {
  type DecidedPayment,
  type DecisionJournal,
  NotOwnerError,
  NotReadyError,
  type PaymentScorer,
  RequestPath,
} from '../src/domain/request-path.js';
import {
  asEvent,
  enrichedOf,
  loggedDecisionsOf,
  MemoryStateStore,
  newEngine,
  payment,
  records,
} from './helpers.js';

/** `transactions` with one partition: appends get the next offset, in order. */
class MemoryPaymentLog {
  readonly appended: Transaction[] = [];
  constructor(public next = 0n) {}
  async append(transaction: Transaction) {
    this.appended.push(transaction);
    const offset = this.next;
    this.next += 1n;
    return { partition: 0, offset };
  }
}

/** A stand-in model: the score is the card's payment count in the last hour / 100, so tests can read it. */
class CountingScorer implements PaymentScorer {
  calls = 0;
  private held: Promise<void> | undefined;

  /** Holds every call until the returned function is called: a model call in flight. */
  hold(): () => void {
    let release!: () => void;
    this.held = new Promise<void>((resolve) => {
      release = resolve;
    });
    return () => {
      this.held = undefined;
      release();
    };
  }

  async score(transaction: Transaction, features: readonly number[]): Promise<Decision> {
    this.calls += 1;
    await this.held;
    const count = featureRecord(Float64Array.from(features)).card_nb_tx_1h;
    return {
      transactionId: transaction.transactionId,
      cardId: transaction.cardId,
      decision: count >= 5 ? 'review' : 'approve',
      score: count / 100,
      reasons: [],
      mode: 'full',
      modelVersion: 'test-model',
      rulesVersion: 'test-rules',
      eventTime: transaction.eventTime,
      decidedAt: 1,
    };
  }
}

class MemoryJournal implements DecisionJournal {
  readonly entries = new Map<string, DecidedPayment>();
  /** Redis not answering: every delete fails. */
  unreachable = false;
  /** The next save times out (the answer is never journalled). */
  failNextSave = false;
  async save(payment: DecidedPayment) {
    if (this.failNextSave) {
      this.failNextSave = false;
      throw new Error('Command timed out');
    }
    this.entries.set(payment.transactionId, payment);
  }
  async forget(payments: ReadonlyArray<Pick<DecidedPayment, 'transactionId'>>) {
    if (this.unreachable) throw new Error('Command timed out');
    for (const p of payments) this.entries.delete(p.transactionId);
  }
  async load() {
    return [...this.entries.values()];
  }
}

function owner(options: { journal?: MemoryJournal; store?: MemoryStateStore; waitMs?: number } = {}) {
  const store = options.store ?? new MemoryStateStore();
  const journal = options.journal ?? new MemoryJournal();
  const log = new MemoryPaymentLog();
  const scorer = new CountingScorer();
  const progress = new PartitionProgress();
  const path: RequestPath = new RequestPath({
    progress,
    engine: () => task.engine,
    log,
    scorer,
    journal,
    partitionOf: () => 0,
    waitMs: options.waitMs ?? 200,
  });
  const checkpointer = new InlineCheckpointer(new CheckpointReplica(store, newEngine, 0));
  const task: FeatureTask = new FeatureTask({
    store,
    checkpointer,
    newEngine,
    enrichedTopic: 'enriched',
    clock: () => 1,
    requests: { paymentsTopic: 'tx', decisionsTopic: 'decisions', path, progress, scorer },
  });
  /** What the stream would read back: the appended payments as records of partition 0. */
  const streamed = (from = 0) =>
    records(
      log.appended.slice(from).map((t) => asEvent(t)),
      BigInt(from),
    );
  return { task, path, progress, log, scorer, journal, store, streamed };
}

const assignment = [{ topic: 'tx', partition: 0, committed: null, start: 0n, end: 0n }];
const burst = (count: number) =>
  Array.from({ length: count }, (_, i) => payment({ cardId: 'card-burst', eventTime: 1_000_000 + i * 100 }));

describe('RequestPath', () => {
  it('when ten payments of one card arrive within a second, then the tenth decision counts all ten in card_nb_tx_1h (nine earlier + itself)', async () => {
    const { task, path, journal } = owner();
    await task.restore(assignment);

    const decisions: Decision[] = [];
    for (const txn of burst(10)) decisions.push(await path.decide(txn));

    expect(decisions.map((d) => Math.round(d.score * 100))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(decisions.at(-1)!.decision).toBe('review');
    expect(journal.entries.size).toBe(10);
  });

  it('when the stream later reads the payments answered on the request path, then it logs each answered decision with its features, once', async () => {
    const { task, path, journal, streamed } = owner();
    await task.restore(assignment);
    const answered: Decision[] = [];
    for (const txn of burst(3)) answered.push(await path.decide(txn));

    const output = await task.process(streamed());
    const logged = enrichedOf(output);
    await task.afterCommit();

    expect(logged.map((e) => e.decision)).toEqual(answered);
    // The owner logs the answers itself, in the batch's transaction; the scorer skips them.
    expect(logged.every((e) => e.decisionLogged === true)).toBe(true);
    expect(loggedDecisionsOf(output)).toEqual(answered);
    expect(logged.map((e) => featureRecord(Float64Array.from(e.features)).card_nb_tx_1h)).toEqual([1, 2, 3]);
    expect(path.unlogged).toBe(0);
    expect(journal.entries.size).toBe(0);
    // Read again (a redelivery): already applied and logged, so nothing more.
    expect(enrichedOf(await task.process(streamed()))).toEqual([]);
  });

  it('when an earlier payment of the same card came from elsewhere, then the request waits for the stream to apply it first', async () => {
    const { task, path, log, streamed } = owner();
    await task.restore(assignment);
    const [first, second] = burst(2);
    // Published by someone else (e.g. POST without ?wait): in the partition, not applied yet.
    await log.append(first!);

    const pending = path.decide(second!);
    await new Promise((resolve) => setTimeout(resolve, 10));
    // Until the stream has fetched it, the request cannot know whose payment offset 0 is.
    task.fetched(streamed(0).slice(0, 1));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log.appended).toHaveLength(2);

    const batch = enrichedOf(await task.process(streamed(0).slice(0, 1)));
    expect(batch.map((e) => e.transaction.transactionId)).toEqual([first!.transactionId]);
    const decision = await pending;
    expect(Math.round(decision.score * 100)).toBe(2);
  });

  it('when an earlier payment of another card is fetched but not applied, then it does not hold the request back', async () => {
    const { task, path, log, streamed } = owner();
    await task.restore(assignment);
    await log.append(payment({ cardId: 'someone-else' }));
    task.fetched(streamed(0));

    const decision = await path.decide(burst(1)[0]!);
    expect(Math.round(decision.score * 100)).toBe(1);
  });

  it('when the stream reaches a payment before its waiting request could apply it, then the stream decides it and the request gets that decision', async () => {
    const { task, path, log, streamed, scorer } = owner();
    await task.restore(assignment);
    const [foreign, mine] = burst(2);
    await log.append(foreign!);
    const pending = path.decide(mine!);
    await new Promise((resolve) => setTimeout(resolve, 10));

    // One stream batch holds both: the request is still waiting for the first when the stream applies the second.
    const output = await task.process(streamed());
    const logged = enrichedOf(output);
    const decision = await pending;

    expect(logged).toHaveLength(2);
    expect(logged[0]!.decision).toBeUndefined();
    expect(logged[1]!.decision).toEqual(decision);
    // The scorer decides the first (no decision with it); the owner logs the one it answered.
    expect(loggedDecisionsOf(output)).toEqual([decision]);
    expect(scorer.calls).toBe(1);
  });

  it('when the stream reads a payment and its fallback copy while the owner is still scoring it, then the answered decision is logged once', async () => {
    const { task, path, log, streamed, scorer } = owner();
    await task.restore(assignment);
    const [mine] = burst(1);
    const release = scorer.hold();
    const answer = path.decide(mine!);
    await new Promise((resolve) => setTimeout(resolve, 10));
    // txn-api gave up waiting and published its own copy: both records are duplicates for the engine.
    await log.append(mine!);

    const processing = task.process(streamed());
    release();
    const decision = await answer;
    const output = await processing;

    expect(enrichedOf(output).map((e) => e.decision)).toEqual([decision]);
    expect(loggedDecisionsOf(output)).toEqual([decision]);
  });

  it('when the journal cannot delete a logged answer, then the committed batch stands and the stale entry is dropped at the next restore', async () => {
    const journal = new MemoryJournal();
    const store = new MemoryStateStore();
    const { task, path, streamed } = owner({ journal, store });
    await task.restore(assignment);
    await path.decide(burst(1)[0]!);
    await task.process(streamed());
    journal.unreachable = true;

    await expect(task.afterCommit()).resolves.toBeUndefined();
    expect(path.unlogged).toBe(0);
    expect(journal.entries.size).toBe(1);

    // The checkpoint now holds the payment's offset: a new owner finds the entry stale and drops it.
    journal.unreachable = false;
    const next = owner({ journal, store });
    await next.task.restore([{ ...assignment[0]!, committed: 1n }]);
    expect(journal.entries.size).toBe(0);
    expect(next.path.unlogged).toBe(0);
  });

  it('when the journal fails after the payment was applied, then the batch that meets it fails once and, after the restore, the stream decides it as its own', async () => {
    const journal = new MemoryJournal();
    const { task, path, streamed, scorer } = owner({ journal });
    await task.restore(assignment);
    journal.failNextSave = true;
    await expect(path.decide(burst(1)[0]!)).rejects.toThrow(/timed out/);

    // Applied to the live engine, never decided: the stream cannot log it from this engine.
    await expect(task.process(streamed())).rejects.toThrow(/timed out/);
    await task.restore(assignment);
    const output = await task.process(streamed());

    expect(enrichedOf(output).map((e) => [e.decision, e.decisionLogged])).toEqual([[undefined, undefined]]);
    expect(loggedDecisionsOf(output)).toEqual([]);
    expect(path.unlogged).toBe(0);
    expect(scorer.calls).toBe(1);
  });

  it('when the journal fails as the stream decides a payment for its waiting request, then the batch fails once and the batch after the restore completes (it waited for ever on that payment)', async () => {
    const journal = new MemoryJournal();
    const { task, path, log, streamed } = owner({ journal });
    await task.restore(assignment);
    const [foreign, mine] = burst(2);
    await log.append(foreign!);
    const answer = path.decide(mine!);
    answer.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 10));
    journal.failNextSave = true; // Redis failing over as the stream journals its decision

    await expect(task.process(streamed())).rejects.toThrow(/timed out/);
    await expect(answer).rejects.toThrow(/timed out/);
    await task.restore(assignment);
    const hung = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 2_000).unref());
    const output = await Promise.race([task.process(streamed()), hung]);

    expect(output).not.toBe('hung');
    // Decided by the stream as its own now (the scorer downstream), nothing left waiting to be logged.
    expect(enrichedOf(output as Awaited<ReturnType<typeof task.process>>)).toHaveLength(2);
    expect(path.unlogged).toBe(0);
  });

  it('when the partition is not owned, then the request is refused as misdirected', async () => {
    const { path } = owner();
    await expect(path.decide(payment())).rejects.toBeInstanceOf(NotOwnerError);
  });

  it('when the earlier payments do not arrive in time, then the request gives up and the stream decides the payment later', async () => {
    const { task, path, log, streamed } = owner({ waitMs: 20 });
    await task.restore(assignment);
    const [foreign, mine] = burst(2);
    await log.append(foreign!);
    task.fetched(streamed(0));
    await expect(path.decide(mine!)).rejects.toBeInstanceOf(NotReadyError);

    const logged = enrichedOf(await task.process(streamed()));
    expect(logged.map((e) => e.decision?.transactionId)).toEqual([undefined, mine!.transactionId]);
  });

  it("when the caller's deadline passes after the append and before the decision, then it is told at once and the stream logs the decision", async () => {
    const { task, path, log, streamed } = owner({ waitMs: 1_000 });
    await task.restore(assignment);
    const [foreign, mine] = burst(2);
    await log.append(foreign!);

    // Held back by the foreign payment the stream has not fetched: past the caller's 20 ms budget.
    const started = performance.now();
    await expect(path.decide(mine!, () => {}, 20)).rejects.toThrow(/within the caller's 20 ms/);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(log.appended.map((t) => t.transactionId)).toEqual([foreign!.transactionId, mine!.transactionId]);

    const logged = enrichedOf(await task.process(streamed()));
    await task.afterCommit();
    expect(logged.map((e) => e.decision?.transactionId)).toEqual([undefined, mine!.transactionId]);
    expect(path.unlogged).toBe(0);
  });

  it('when the owner restarts after answering and before the stream logged the answer, then the new owner logs the journalled answer unchanged', async () => {
    const journal = new MemoryJournal();
    const store = new MemoryStateStore();
    const before = owner({ journal, store });
    await before.task.restore(assignment);
    const answered = await before.path.decide(burst(1)[0]!);

    const after = owner({ journal, store });
    after.log.appended.push(...before.log.appended);
    await after.task.restore(assignment);
    const output = await after.task.process(after.streamed());
    const logged = enrichedOf(output);

    expect(logged).toHaveLength(1);
    expect(logged[0]!.decision).toEqual(answered);
    expect(loggedDecisionsOf(output)).toEqual([answered]);
    expect(after.scorer.calls).toBe(0);
  });
});

describe('MicroBatcher', () => {
  /** A model whose calls the test ends by hand. */
  function heldModel() {
    const calls: Array<{ items: readonly number[]; end: () => void }> = [];
    const run = (items: readonly number[]) =>
      new Promise<number[]>((resolve) => calls.push({ items, end: () => resolve(items.map((n) => n * 2)) }));
    return { calls, run };
  }
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('when an item finds no call in flight, then it runs at once, and items arriving meanwhile share the next call', async () => {
    const model = heldModel();
    const batcher = new MicroBatcher(model.run, 50);

    const first = batcher.submit(1);
    const rest = [2, 3, 4].map((n) => batcher.submit(n));
    await tick();
    expect(model.calls.map((c) => c.items)).toEqual([[1]]);

    model.calls[0]!.end();
    await tick();
    expect(model.calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]);
    model.calls[1]!.end();

    expect(await first).toBe(2);
    expect(await Promise.all(rest)).toEqual([4, 6, 8]);
    expect(batcher.stats).toEqual({ calls: 2, items: 4 });
  });

  it('when a call in flight outlasts the window, then the waiting items go without it; with a window of 0, each goes alone', async () => {
    const model = heldModel();
    const batcher = new MicroBatcher(model.run, 5);
    void batcher.submit(1);
    const waited = batcher.submit(2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(model.calls.map((c) => c.items)).toEqual([[1], [2]]);
    model.calls[1]!.end();
    expect(await waited).toBe(4);

    const single = heldModel();
    const alone = new MicroBatcher(single.run, 0);
    void alone.submit(5);
    void alone.submit(6);
    await tick();
    expect(single.calls.map((c) => c.items)).toEqual([[5], [6]]);
  });
});

describe('PartitionProgress', () => {
  it('when the partition is reassigned while a request waits, then the wait ends as moved', async () => {
    const progress = new PartitionProgress();
    progress.assign(new Map([[0, 5n]]));
    const waiting = progress.waitForEarlier(0, 10n, 'card-1', 1_000);
    progress.clear();
    expect(await waiting).toBe('moved');
  });
});
