/**
 * What a stream task sees and returns. Kept apart from the Kafka adapter so
 * that a service's domain can implement a task without importing kafkajs.
 */

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** One consumed, decoded record as a stream task sees it. */
export interface StreamRecord<T> {
  topic: string;
  partition: number;
  offset: bigint;
  key: string | null;
  value: T;
  /** Kafka record timestamp (ms). */
  timestamp: number;
  /**
   * Processed and committed before a crash or rebalance, delivered again
   * because the task rewound to its state checkpoint: apply it to rebuild
   * state, never emit for it (its output is already in Kafka).
   */
  replay: boolean;
}

/** A message to produce: JSON value, partitioning key, optional headers and record time. */
export interface StreamMessage {
  key: string;
  value: unknown;
  headers?: Record<string, string>;
  timestamp?: number;
}

export interface OutgoingBatch {
  topic: string;
  messages: StreamMessage[];
}

export interface StreamOutput<T> {
  messages: OutgoingBatch[];
  /** Records the task refuses after decoding (wrong feature version, ...): dead-lettered with the reason. */
  deadLetters?: Array<{ record: StreamRecord<T>; reason: string }>;
}

/** A partition as the group hands it over: where the group's committed progress stands. */
export interface AssignedPartition extends TopicPartition {
  /** Next offset to process according to the group's committed offsets; null when it never committed. */
  committed: bigint | null;
  /** Offset after the partition's last record when the assignment was received. */
  end: bigint;
  /** The partition's first retained offset. */
  start: bigint;
}

/** Where a restored task must read a partition from: before `committed` to rebuild state it lost. */
export interface Rewind extends TopicPartition {
  offset: bigint;
}

export interface StreamTask<T> {
  /**
   * Called on every (re)assignment and after every failed batch, before any
   * record is processed: rebuild state from the checkpoint and say where
   * each partition must be re-read from. Records between that offset and the
   * committed one come back with `replay: true`.
   */
  restore?(assignment: readonly AssignedPartition[]): Promise<readonly Rewind[]>;
  /**
   * Records just fetched, before they wait in the buffers for their batch
   * (in offset order per partition): a task serving reads between batches
   * learns what it has not applied yet.
   */
  fetched?(records: readonly StreamRecord<T>[]): void;
  /** Processes ready records in order; what it returns is produced atomically with their offsets. */
  process(records: readonly StreamRecord<T>[]): Promise<StreamOutput<T>> | StreamOutput<T>;
  /** After a transaction committed (or a replay-only batch was applied): a place to checkpoint state. */
  afterCommit?(): Promise<void>;
  /** On a graceful stop, after the last batch committed and before the group is left. */
  close?(): Promise<void>;
}
