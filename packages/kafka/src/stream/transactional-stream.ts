import type { Admin, Consumer, EachBatchPayload, Message, Producer } from 'kafkajs';
import { deadLetter } from '../dead-letters.js';
import { readAssignment } from './assignment.js';
import { type Entry, isDead, refusedRecord, toEntry, withDeadRecords } from './dead-records.js';
import { FailureRun } from './failure-run.js';
import { PartitionBuffers, partitionKey } from './partition-buffers.js';
import type { TransactionalStreamOptions } from './stream-options.js';
import type { StreamRecord, TopicPartition } from './task.js';
import { encodeOutput, MAX_REQUEST_BYTES } from './transaction-requests.js';
import {
  commitBatch,
  createTransactionalProducer,
  isFenced,
  offsetsToCommit,
  TRANSACTION_RETRY_MS,
} from './transactions.js';

export type { BatchStats, TransactionalStreamOptions } from './stream-options.js';

/**
 * Consume, process, produce: exactly once. Records from every assigned
 * partition are buffered (in arrival or event-time order) and handed to the
 * task in batches; each batch's output, its dead letters and the consumed
 * offsets go to Kafka in one transaction, so downstream read-committed
 * consumers see each input's output once, even across crashes. After a
 * rebalance or a failed batch the task restores its state and may rewind
 * partitions to its checkpoint; the rewound records replay without output.
 */
export class TransactionalStream<T> {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly buffers: PartitionBuffers<Entry<T>>;
  private readonly maxBatchRecords: number;
  private readonly maxBuffered: number;
  private readonly retryMs: number;
  private readonly maxRequestBytes: number;
  private assignment: Record<string, number[]> = {};
  /** Next offset whose processing is committed, per partition key. */
  private readonly committed = new Map<string, bigint>();
  /** Records below this offset were processed before (replayed to rebuild state). */
  private readonly replayUntil = new Map<string, bigint>();
  private readonly paused = new Map<string, TopicPartition>();
  private restoring: Promise<void> = Promise.resolve();
  private generation = 0;
  private running = false;
  private readonly failures = new FailureRun();
  private closed = false;
  private pumpLoop: Promise<void> | undefined;
  /** The batch being processed, awaited by a restore so that it never rebuilds state under a running batch. */
  private inFlight: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private processedBatches = 0;

  constructor(private readonly options: TransactionalStreamOptions<T>) {
    this.maxBatchRecords = options.maxBatchRecords ?? 5000;
    this.maxBuffered = options.maxBufferedPerPartition ?? 20_000;
    this.retryMs = options.retryBackoffMs ?? TRANSACTION_RETRY_MS;
    this.maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
    this.buffers = new PartitionBuffers<Entry<T>>(withDeadRecords(options.ordering));
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: 1024 * 1024,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 100,
      minBytes: options.minFetchBytes ?? 1,
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 1_000,
      // Only committed output of upstream transactional stages is read.
      readUncommitted: false,
    });
    this.producer = createTransactionalProducer(options.kafka, {
      transactionalId: options.transactionalId,
      transactionTimeoutMs: options.transactionTimeoutMs ?? 10_000,
      retryBackoffMs: this.retryMs,
    });
    this.admin = options.kafka.admin();
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Transactions committed so far. */
  get batches(): number {
    return this.processedBatches;
  }

  /** Records waiting in the buffers. */
  get buffered(): number {
    return this.buffers.total;
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: true });
    // Emitted synchronously before the first fetch of an assignment, so `restoring` is set in time.
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.assignment = event.payload.memberAssignment;
      this.startRestore();
    });
    // A batch of only transaction markers never reaches eachBatch but still says the partition is read
    // to its end. (Batches with records are judged in eachBatch, where stale ones are told apart.)
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, (event) => {
      if (event.payload.batchSize === 0 && event.payload.offsetLag === '0') {
        this.buffers.markCaughtUp(event.payload.topic, event.payload.partition);
        this.signal();
      }
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      if (!event.payload.restart) this.fatal(event.payload.error);
    });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.pumpLoop = this.pump();
  }

  /** Stops fetching, lets the batch in hand commit, then leaves the group and closes the clients. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.running = false;
    this.signal();
    await this.pumpLoop;
    // Only after a clean last batch: a failed one leaves state the checkpoint must not see.
    if (this.inFlight === undefined && this.failures.count === 0) await this.options.task.close?.();
    await this.consumer.disconnect();
    await this.producer.disconnect();
    await this.admin.disconnect();
  }

  private async onBatch({
    batch,
    isRunning,
    isStale,
    resolveOffset,
    heartbeat,
  }: EachBatchPayload): Promise<void> {
    const generation = this.generation;
    await whileHeartbeating(this.restoring, heartbeat);
    if (!isRunning() || isStale() || generation !== this.generation || batch.messages.length === 0) return;
    const key = partitionKey(batch.topic, batch.partition);
    const replayUntil = this.replayUntil.get(key);
    if (replayUntil === undefined) return; // not (or no longer) ours
    const entries = batch.messages.map((message) =>
      toEntry(this.options.decode, batch.topic, batch.partition, message, replayUntil),
    );
    this.options.task.fetched?.(entries.filter((entry): entry is StreamRecord<T> => !isDead(entry)));
    this.buffers.push(batch.topic, batch.partition, entries, batch.offsetLag() === '0');
    // The fetch position moves on; offsets are committed only inside transactions.
    resolveOffset(batch.lastOffset());
    if (this.buffers.size(batch.topic, batch.partition) >= this.maxBuffered && !this.paused.has(key)) {
      this.paused.set(key, { topic: batch.topic, partition: batch.partition });
      this.consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
    }
    this.signal();
  }

  private async restore(): Promise<void> {
    const generation = ++this.generation;
    // A batch in flight belongs to the old assignment: let it abort before state is rebuilt.
    await this.inFlight?.catch(() => {});
    const assigned = await readAssignment(this.admin, this.options.groupId, this.assignment);
    const rewinds = (await this.options.task.restore?.(assigned)) ?? [];
    if (generation !== this.generation) return; // superseded by a newer assignment
    this.committed.clear();
    this.replayUntil.clear();
    for (const { topic, partitions } of [...this.paused.values()].map((p) => ({
      topic: p.topic,
      partitions: [p.partition],
    }))) {
      this.consumer.resume([{ topic, partitions }]);
    }
    this.paused.clear();
    const buffered: Array<TopicPartition & { caughtUp: boolean }> = [];
    for (const partition of assigned) {
      const key = partitionKey(partition.topic, partition.partition);
      const committed = partition.committed ?? partition.start;
      const rewind = rewinds.find((r) => r.topic === partition.topic && r.partition === partition.partition);
      const from = rewind && rewind.offset < committed ? rewind.offset : committed;
      this.committed.set(key, committed);
      this.replayUntil.set(key, committed);
      // Every partition restarts from a known point: records fetched before this are stale.
      this.consumer.seek({ topic: partition.topic, partition: partition.partition, offset: from.toString() });
      buffered.push({
        topic: partition.topic,
        partition: partition.partition,
        caughtUp: from >= partition.end,
      });
    }
    this.buffers.assign(buffered);
    this.options.logger.info(
      {
        groupId: this.options.groupId,
        partitions: assigned.length,
        rewound: rewinds.length,
      },
      'stream task restored',
    );
  }

  private async pump(): Promise<void> {
    while (this.running) {
      try {
        await this.restoring;
      } catch (error) {
        this.fail(error as Error);
        continue;
      }
      const { records: entries, forced } = this.buffers.take(this.maxBatchRecords, Date.now());
      if (entries.length === 0) {
        await this.waitForWork();
        continue;
      }
      const started = Date.now();
      this.inFlight = this.processBatch(entries, forced);
      try {
        await this.inFlight;
        this.failures.succeeded();
      } catch (error) {
        this.fail(error as Error);
      } finally {
        this.inFlight = undefined;
      }
      await this.lingerUntil(started + (this.options.commitIntervalMs ?? 0));
    }
    this.wake = undefined;
  }

  private async processBatch(entries: Entry<T>[], forcedReleases: number): Promise<void> {
    const generation = this.generation;
    const records: StreamRecord<T>[] = [];
    const deadLetters: Message[] = [];
    for (const entry of entries) {
      if (!isDead(entry)) records.push(entry);
      else if (!entry.replay) deadLetters.push(deadLetter(entry));
    }
    const processStarted = performance.now();
    const output = await this.options.task.process(records);
    const processMs = performance.now() - processStarted;
    for (const { record, reason } of output.deadLetters ?? []) {
      if (!record.replay) deadLetters.push(deadLetter(refusedRecord(record, reason)));
    }
    const batches = encodeOutput(output.messages);
    if (deadLetters.length > 0) batches.push({ topic: this.options.deadLetterTopic, messages: deadLetters });
    const offsets = offsetsToCommit(entries, this.committed);

    const commitStarted = performance.now();
    if (batches.length > 0 || offsets.length > 0) {
      const committed = await commitBatch(
        this.producer,
        {
          groupId: this.options.groupId,
          batches,
          offsets,
          maxRequestBytes: this.maxRequestBytes,
          retryBackoffMs: this.retryMs,
        },
        // Rebalanced meanwhile: these partitions may be someone else's now.
        () => generation === this.generation,
      );
      if (!committed) return;
      for (const { topic, partitions } of offsets) {
        for (const { partition, offset } of partitions)
          this.committed.set(partitionKey(topic, partition), BigInt(offset));
      }
      this.processedBatches += 1;
    }
    const commitMs = performance.now() - commitStarted;
    if (generation !== this.generation) return;
    await this.options.task.afterCommit?.();
    this.resumeDrained();
    this.options.onBatch?.({
      records: records.length,
      replayed: records.filter((r) => r.replay).length,
      deadLetters: deadLetters.length,
      produced: batches.reduce((sum, b) => sum + b.messages.length, 0),
      processMs,
      commitMs,
      forcedReleases,
    });
  }

  /** Gathers the next batch until `due`, unless a full batch is waiting or the stream stops. */
  private async lingerUntil(due: number): Promise<void> {
    while (this.running && Date.now() < due && this.buffers.total < this.maxBatchRecords) {
      await this.sleep(due - Date.now());
    }
  }

  private resumeDrained(): void {
    for (const [key, tp] of this.paused) {
      if (this.buffers.size(tp.topic, tp.partition) > this.maxBuffered / 2) continue;
      this.paused.delete(key);
      this.consumer.resume([{ topic: tp.topic, partitions: [tp.partition] }]);
    }
  }

  /**
   * A failed batch may have changed the task's state without its output
   * reaching Kafka: start over from the last commit, as after a rebalance.
   */
  private fail(error: Error): void {
    if (!this.running) return;
    if (isFenced(error)) {
      this.fatal(error);
      return;
    }
    const verdict = this.failures.failed(error);
    if (verdict.fatal !== undefined) {
      this.fatal(new Error(verdict.fatal));
      return;
    }
    const { backoffMs } = verdict;
    this.options.logger.error(
      { err: error.message, failures: this.failures.count, backoffMs },
      'stream batch failed; restoring after a pause',
    );
    this.startRestore(backoffMs);
  }

  private startRestore(afterMs = 0): void {
    this.restoring =
      afterMs === 0
        ? this.restore()
        : new Promise((resolve) => setTimeout(resolve, afterMs)).then(() =>
            this.running ? this.restore() : undefined,
          );
    // Seen by the pump and by waiting batches; marked handled here so a failure between awaits is no crash.
    this.restoring.catch(() => {});
    this.signal();
  }

  private fatal(error: Error): void {
    if (!this.running) return;
    // The pump stops; `stop()` still closes the clients.
    this.running = false;
    this.signal();
    this.options.logger.error({ err: error.message }, 'stream stopped');
    this.options.onFatal?.(error);
  }

  private signal(): void {
    this.wake?.();
  }

  private waitForWork(): Promise<void> {
    const releaseAt = this.buffers.forcedReleaseAt();
    return this.sleep(releaseAt === undefined ? 1000 : Math.max(1, releaseAt - Date.now()));
  }

  /** Waits `ms`, or less if `signal()` comes first. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

/** Waits for `work`, heartbeating meanwhile so a long restore does not cost the group membership. */
async function whileHeartbeating(work: Promise<void>, heartbeat: () => Promise<void>): Promise<void> {
  let done = false;
  const settled = work.finally(() => {
    done = true;
  });
  while (!done) {
    await Promise.race([settled.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 1000))]);
    if (!done) await heartbeat().catch(() => {});
  }
  await settled.catch(() => {});
}
