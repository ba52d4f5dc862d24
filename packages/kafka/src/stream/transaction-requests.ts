import type { Message, TopicMessages } from 'kafkajs';
import type { OutgoingBatch, StreamMessage } from './task.js';

/**
 * Most key and value bytes per produce request: under the broker's 1 MiB
 * message.max.bytes with room for record overhead, whatever the partitioning.
 */
export const MAX_REQUEST_BYTES = 768 * 1024;

/** A task's output as kafkajs messages: JSON values, empty batches left out. */
export function encodeOutput(batches: readonly OutgoingBatch[]): TopicMessages[] {
  return batches
    .filter((b) => b.messages.length > 0)
    .map((b) => ({ topic: b.topic, messages: b.messages.map(encode) }));
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

function encode(message: StreamMessage): Message {
  return {
    key: message.key,
    value: JSON.stringify(message.value),
    ...(message.headers ? { headers: message.headers } : {}),
    ...(message.timestamp !== undefined ? { timestamp: String(message.timestamp) } : {}),
  };
}
