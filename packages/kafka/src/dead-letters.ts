import { DeadLetterHeaders } from '@mlsys/contracts';

/** A record that goes to the dead-letter topic: where it was read, what it held, and why it is dead. */
export interface DeadLetterSource {
  topic: string;
  partition: number;
  offset: bigint | string;
  key: string | null;
  /** The record's text as received (or as the task had it), for whoever repairs it. */
  value: string | null;
  headers: Record<string, string>;
  reason: string;
}

export interface DeadLetter {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/**
 * The one dead-letter envelope of every consumer here: the original key,
 * text and headers, then the reason and origin in the `DeadLetterHeaders`,
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
