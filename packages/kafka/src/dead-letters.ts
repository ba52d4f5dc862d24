import { DeadLetterHeaders } from '@mlsys/contracts';
import type { KafkaMessage } from 'kafkajs';
import { textHeaders } from './headers.js';

/** A record that goes to the dead-letter topic: where it was read, what it held, and why it is dead. */
export interface DeadLetterSource {
  topic: string;
  partition: number;
  offset: bigint | string;
  key: string | null;
  /**
   * The record's bytes as received, for whoever repairs it: bytes, not text,
   * since a record that failed to decode may not be valid UTF-8 either.
   */
  value: Buffer | null;
  headers: Record<string, string>;
  reason: string;
}

export interface DeadLetter {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * A consumed message that failed as the source of its dead letter. Both
 * consumers take it from here, so a dead letter's key, bytes and headers do
 * not depend on which service wrote it.
 */
export function deadLetterSource(
  topic: string,
  partition: number,
  message: KafkaMessage,
  reason: string,
): DeadLetterSource {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    value: message.value,
    headers: textHeaders(message.headers),
    reason,
  };
}

/**
 * The one dead-letter envelope of every consumer here: the original key,
 * bytes and headers, then the reason and origin in the `DeadLetterHeaders`,
 * so the cause survives without the logs. The original headers go first so
 * that a record dead-lettered again carries the newest reason.
 */
export function deadLetter(source: DeadLetterSource, failedAt = new Date()): DeadLetter {
  return {
    key: source.key,
    value: source.value,
    headers: {
      ...source.headers,
      [DeadLetterHeaders.reason]: source.reason,
      [DeadLetterHeaders.sourceTopic]: source.topic,
      [DeadLetterHeaders.sourcePartition]: String(source.partition),
      [DeadLetterHeaders.sourceOffset]: source.offset.toString(),
      [DeadLetterHeaders.failedAt]: failedAt.toISOString(),
    },
  };
}
