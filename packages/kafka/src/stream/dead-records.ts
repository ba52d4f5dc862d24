import { type Decoded, describeErrors } from '@mlsys/contracts';
import type { KafkaMessage } from 'kafkajs';
import { type DeadLetterSource, deadLetterSource } from '../dead-letters.js';
import type { RecordOrder } from './partition-buffers.js';
import type { StreamRecord } from './task.js';

/**
 * A record bound for the dead-letter topic instead of the task: one that did
 * not decode, or one the task refused. It waits in the buffers with the
 * others so that its offset is committed in the transaction of its batch.
 */
export interface DeadRecord extends DeadLetterSource {
  dead: true;
  offset: bigint;
  /** Dead-lettered before the task rewound: its dead letter is already in Kafka. */
  replay: boolean;
}

export type Entry<T> = StreamRecord<T> | DeadRecord;

export const isDead = <T>(entry: Entry<T>): entry is DeadRecord => 'dead' in entry;

/** A consumed message as the stream buffers it: decoded for the task, or dead with the reason. */
export function toEntry<T>(
  decode: (topic: string, value: Buffer | null) => Decoded<T>,
  topic: string,
  partition: number,
  message: KafkaMessage,
  replayUntil: bigint,
): Entry<T> {
  const offset = BigInt(message.offset);
  const key = message.key?.toString('utf8') ?? null;
  const replay = offset < replayUntil;
  const decoded = decode(topic, message.value);
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
  return {
    dead: true,
    ...deadLetterSource(topic, partition, message, describeErrors(decoded.errors)),
    offset,
    replay,
  };
}

/** A decoded record the task refused: its original bytes are gone, so the decoded value goes as JSON. */
export function refusedRecord<T>(record: StreamRecord<T>, reason: string): DeadRecord {
  return {
    dead: true,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key,
    value: Buffer.from(JSON.stringify(record.value)),
    headers: {},
    reason,
    replay: record.replay,
  };
}

/** Dead records carry no event time: in an event-time merge they go first and never hold it back. */
export function withDeadRecords<T>(ordering: RecordOrder<StreamRecord<T>>): RecordOrder<Entry<T>> {
  if (ordering.kind === 'arrival') return ordering;
  return {
    ...ordering,
    timeOf: (entry) => (isDead(entry) ? Number.NEGATIVE_INFINITY : ordering.timeOf(entry)),
    rankOf: (entry) => (isDead(entry) ? 0 : ordering.rankOf(entry)),
  };
}
