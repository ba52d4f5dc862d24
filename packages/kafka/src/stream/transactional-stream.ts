import { DeadLetterHeaders, type Decoded, describeErrors } from '@mlsys/contracts';
import {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type Message,
  Partitioners,
  type Producer,
  type TopicMessages,
} from 'kafkajs';
import type { KafkaLogSink } from '../client.js';
import { withCachedCoordinators } from './coordinator-cache.js';
import { PartitionBuffers, partitionKey, type RecordOrder } from './partition-buffers.js';
import type { AssignedPartition, StreamMessage, StreamRecord, StreamTask, TopicPartition } from './task.js';

interface DeadRecord {
  dead: true;
  topic: string;
  partition: number;
  offset: bigint;
  key: string | null;
  raw: string | null;
  headers: Record<string, string>;
  reason: string;
  replay: boolean;
}

type Entry<T> = StreamRecord<T> | DeadRecord;
const isDead = <T>(entry: Entry<T>): entry is DeadRecord => 'dead' in entry;

export interface BatchStats {
  records: number;
  replayed: number;
  deadLetters: number;
  produced: number;
  /** Time in the task's `process` (ms). */
  processMs: number;
  /** Time to produce and commit the Kafka transaction (ms). */
  commitMs: number;
  /** Partitions the event-time merge passed over because they stayed silent too long. */
  forcedReleases: number;
}

export interface TransactionalStreamOptions<T> {
  kafka: Kafka;
  groupId: string;
  /**
   * Stable per instance: a restarted instance with the same id fences its
   * dead predecessor and aborts the transaction it left open at once.
   */
  transactionalId: string;
  topics: string[];
  decode(topic: string, value: Buffer | null): Decoded<T>;
  deadLetterTopic: string;
  ordering: RecordOrder<StreamRecord<T>>;
  task: StreamTask<T>;
  logger: KafkaLogSink;
  /** Most records per transaction. */
  maxBatchRecords?: number;
  /** A partition with this many records waiting is paused until the task catches up. */
  maxBufferedPerPartition?: number;
  /** Bounds the broker's wait on a quiet stream (and so the latency of a trickle). */
  maxWaitTimeMs?: number;
  /**
   * The broker holds a fetch until this many bytes are there (or `maxWaitTimeMs` passes): at a
   * trickle, one fetch a wait instead of one per record.
   */
  minFetchBytes?: number;
  /**
   * Least time from one batch's start to the next (Kafka Streams' commit.interval.ms): a
   * transaction costs the same few requests whatever it holds, so a stream nobody waits on
   * gathers a batch rather than committing every record alone. 0: as fast as records come.
   */
  commitIntervalMs?: number;
  sessionTimeoutMs?: number;
  /** How long a transaction left open by a dead instance blocks read-committed consumers at most. */
  transactionTimeoutMs?: number;
  /**
   * First back-off (ms, doubling) when the broker is still finishing the previous transaction
   * (CONCURRENT_TRANSACTIONS) or a produce fails transiently.
   */
  retryBackoffMs?: number;
  /**
   * Most key and value bytes per produce request of a transaction (default 768 KiB): under the
   * broker's 1 MiB message.max.bytes with room for record overhead, whatever the partitioning.
   */
  maxRequestBytes?: number;
  onBatch?(stats: BatchStats): void;
  /** The stream stopped for good (fenced by a newer instance, or failing repeatedly). */
  onFatal?(error: Error): void;
}

const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);
const TRANSACTION_RETRY_MS = 5;
const MAX_REQUEST_BYTES = 768 * 1024;
/** Attempts of a transaction's offsets-only start while the previous transaction completes. */
const CONCURRENT_TRANSACTION_ATTEMPTS = 10;
const MAX_CONSECUTIVE_FAILURES = 5;

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
  private failures = 0;
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
    const ordering = options.ordering;
    // Dead records carry no event time: they go first and never hold the merge back.
    this.buffers = new PartitionBuffers<Entry<T>>(
      ordering.kind === 'arrival'
        ? ordering
        : {
            ...ordering,
            timeOf: (entry) => (isDead(entry) ? Number.NEGATIVE_INFINITY : ordering.timeOf(entry)),
            rankOf: (entry) => (isDead(entry) ? 0 : ordering.rankOf(entry)),
          },
    );
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
    this.producer = withCachedCoordinators(options.kafka, () =>
      options.kafka.producer({
        transactionalId: options.transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: options.transactionTimeoutMs ?? 10_000,
        // The broker answers a commit before it has written the commit markers, and refuses to add
        // partitions to the next transaction (CONCURRENT_TRANSACTIONS) until it has: a few ms on a
        // local broker. kafkajs retries that with the client's back-off (100 ms), which made most
        // back-to-back transactions wait 100 ms for nothing; a short, doubling back-off waits as
        // long as the markers take. An idempotent producer must retry without a limit (as before).
        retry: {
          initialRetryTime: options.retryBackoffMs ?? TRANSACTION_RETRY_MS,
          retries: Number.MAX_SAFE_INTEGER,
        },
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
    );
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
    if (this.inFlight === undefined && this.failures === 0) await this.options.task.close?.();
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
      this.decode(batch.topic, batch.partition, message, replayUntil),
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

  private decode(topic: string, partition: number, message: KafkaMessage, replayUntil: bigint): Entry<T> {
    const offset = BigInt(message.offset);
    const key = message.key?.toString('utf8') ?? null;
    const replay = offset < replayUntil;
    const decoded = this.options.decode(topic, message.value);
    if (decoded.ok) {
      return {
        topic,
        partition,
        offset,
        key,
        value: decoded.value,
        timestamp: Number(message.timestamp),
        replay,
      };
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      headers[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value ?? '');
    }
    return {
      dead: true,
      topic,
      partition,
      offset,
      key,
      raw: message.value?.toString('utf8') ?? null,
      headers,
      reason: describeErrors(decoded.errors),
      replay,
    };
  }

  private async restore(): Promise<void> {
    const generation = ++this.generation;
    // A batch in flight belongs to the old assignment: let it abort before state is rebuilt.
    await this.inFlight?.catch(() => {});
    const topics = Object.keys(this.assignment);
    const groupOffsets = await this.admin.fetchOffsets({ groupId: this.options.groupId, topics });
    const assigned: AssignedPartition[] = [];
    for (const topic of topics) {
      const watermarks = await this.admin.fetchTopicOffsets(topic);
      const committed = groupOffsets.find((t) => t.topic === topic)?.partitions ?? [];
      for (const partition of this.assignment[topic] ?? []) {
        const marks = watermarks.find((w) => w.partition === partition);
        const offset = committed.find((c) => c.partition === partition)?.offset ?? '-1';
        assigned.push({
          topic,
          partition,
          committed: offset === '-1' ? null : BigInt(offset),
          end: BigInt(marks?.high ?? '0'),
          start: BigInt(marks?.low ?? '0'),
        });
      }
    }
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
        this.failures = 0;
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
      else if (!entry.replay) deadLetters.push(toDeadLetter(entry));
    }
    const processStarted = performance.now();
    const output = await this.options.task.process(records);
    const processMs = performance.now() - processStarted;
    for (const { record, reason } of output.deadLetters ?? []) {
      if (!record.replay) deadLetters.push(toDeadLetter(recordAsDead(record, reason)));
    }
    const batches = output.messages
      .filter((b) => b.messages.length > 0)
      .map((b) => ({ topic: b.topic, messages: b.messages.map(encode) }));
    if (deadLetters.length > 0) batches.push({ topic: this.options.deadLetterTopic, messages: deadLetters });
    const offsets = this.offsetsToCommit(entries);

    const commitStarted = performance.now();
    if (batches.length > 0 || offsets.length > 0) {
      const transaction = await this.producer.transaction();
      try {
        // In several requests when large: output keyed like its input lands in one partition, and a
        // partition's record batch over the broker's message.max.bytes (1 MiB) fails the whole batch.
        for (const request of inRequestsOf(batches, this.maxRequestBytes)) {
          await transaction.sendBatch({ acks: -1, topicMessages: request });
        }
        if (offsets.length > 0) {
          const sendOffsets = () =>
            transaction.sendOffsets({ consumerGroupId: this.options.groupId, topics: offsets });
          // With no output before them, the offsets open the transaction, and kafkajs does not
          // retry the broker's CONCURRENT_TRANSACTIONS there: the batch would fail and restore.
          await (batches.length > 0 ? sendOffsets() : whileConcurrentTransaction(sendOffsets, this.retryMs));
        }
        // Rebalanced meanwhile: these partitions may be someone else's now.
        if (generation !== this.generation) {
          await transaction.abort();
          return;
        }
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => {});
        throw error;
      }
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
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, due - Date.now());
        this.wake = done;
      });
    }
  }

  /** Next offset per partition of the batch, only where it moves the committed offset forward. */
  private offsetsToCommit(entries: readonly Entry<T>[]) {
    const next = new Map<string, { topic: string; partition: number; offset: bigint }>();
    for (const entry of entries) {
      const key = partitionKey(entry.topic, entry.partition);
      const offset = entry.offset + 1n;
      const current = next.get(key);
      if (!current || offset > current.offset)
        next.set(key, { topic: entry.topic, partition: entry.partition, offset });
    }
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const [key, { topic, partition, offset }] of next) {
      if (offset <= (this.committed.get(key) ?? -1n)) continue;
      const partitions = byTopic.get(topic) ?? [];
      partitions.push({ partition, offset: offset.toString() });
      byTopic.set(topic, partitions);
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
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
    if (FENCED.has((error as { type?: string }).type ?? '')) {
      this.fatal(error);
      return;
    }
    this.failures += 1;
    this.options.logger.error(
      { err: error.message, failures: this.failures },
      'stream batch failed; restoring',
    );
    if (this.failures >= MAX_CONSECUTIVE_FAILURES) {
      this.fatal(new Error(`stream failed ${this.failures} times in a row, last: ${error.message}`));
      return;
    }
    this.startRestore();
  }

  private startRestore(): void {
    this.restoring = this.restore();
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
    return new Promise((resolve) => {
      const releaseAt = this.buffers.forcedReleaseAt();
      const delay = releaseAt === undefined ? 1000 : Math.max(1, releaseAt - Date.now());
      const timer = setTimeout(done, delay);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
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

/**
 * Splits a transaction's output into produce requests of at most `maxBytes` of keys and values
 * (a message larger than that goes alone), keeping each topic's messages in order.
 */
export function inRequestsOf(batches: readonly TopicMessages[], maxBytes: number): TopicMessages[][] {
  const requests: TopicMessages[][] = [];
  let request: TopicMessages[] = [];
  let bytes = 0;
  for (const { topic, messages } of batches) {
    let current: TopicMessages | undefined;
    for (const message of messages) {
      const size = byteSize(message.key) + byteSize(message.value);
      if (bytes > 0 && bytes + size > maxBytes) {
        requests.push(request);
        request = [];
        current = undefined;
        bytes = 0;
      }
      if (!current) {
        current = { topic, messages: [] };
        request.push(current);
      }
      current.messages.push(message);
      bytes += size;
    }
  }
  if (request.length > 0) requests.push(request);
  return requests;
}

function byteSize(value: Message['value'] | Message['key']): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/** Runs `attempt` again, with a doubling back-off, while the broker still completes the previous transaction. */
async function whileConcurrentTransaction(attempt: () => Promise<unknown>, backoffMs: number): Promise<void> {
  for (let tries = 1; ; tries++) {
    try {
      await attempt();
      return;
    } catch (error) {
      const concurrent = (error as { type?: string }).type === 'CONCURRENT_TRANSACTIONS';
      if (!concurrent || tries >= CONCURRENT_TRANSACTION_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (tries - 1)));
    }
  }
}

function recordAsDead<T>(record: StreamRecord<T>, reason: string): DeadRecord {
  return {
    dead: true,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key,
    raw: JSON.stringify(record.value),
    headers: {},
    reason,
    replay: record.replay,
  };
}

/** The original bytes, readable for whoever repairs them, with the reason and origin in headers. */
function toDeadLetter(record: DeadRecord): Message {
  return {
    key: record.key,
    value: record.raw,
    headers: {
      ...record.headers,
      [DeadLetterHeaders.reason]: record.reason,
      [DeadLetterHeaders.sourceTopic]: record.topic,
      [DeadLetterHeaders.sourcePartition]: String(record.partition),
      [DeadLetterHeaders.sourceOffset]: record.offset.toString(),
      [DeadLetterHeaders.failedAt]: new Date().toISOString(),
    },
  };
}

function encode(message: StreamMessage): Message {
  return {
    key: message.key,
    value: JSON.stringify(message.value),
    ...(message.headers ? { headers: message.headers } : {}),
    ...(message.timestamp !== undefined ? { timestamp: String(message.timestamp) } : {}),
  };
}
