import { DeadLetterHeaders } from '@mlsys/contracts';
import type { IHeaders } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { deadLetter } from '../src/dead-letters.js';
import { textHeaders } from '../src/headers.js';

const failedAt = new Date('2026-01-02T03:04:05.678Z');
const source = {
  topic: 'transactions',
  partition: 3,
  offset: 42n,
  key: 'card-1',
  value: Buffer.from('{not json'),
  headers: { 'trace-id': 'abc' },
  reason: '(body): is not valid JSON',
};

describe('deadLetter', () => {
  it('when a record is dead-lettered, then its key, bytes and headers are kept and the reason and origin follow in that order', () => {
    const letter = deadLetter(source, failedAt);

    expect(letter.key).toBe('card-1');
    expect(letter.value).toEqual(Buffer.from('{not json'));
    expect(Object.entries(letter.headers)).toEqual([
      ['trace-id', 'abc'],
      [DeadLetterHeaders.reason, '(body): is not valid JSON'],
      [DeadLetterHeaders.sourceTopic, 'transactions'],
      [DeadLetterHeaders.sourcePartition, '3'],
      [DeadLetterHeaders.sourceOffset, '42'],
      [DeadLetterHeaders.failedAt, '2026-01-02T03:04:05.678Z'],
    ]);
  });

  it('when the offset comes as kafkajs text or as a bigint, then the header is the same', () => {
    const large = '9007199254740993';

    expect(deadLetter({ ...source, offset: large }, failedAt).headers).toEqual(
      deadLetter({ ...source, offset: BigInt(large) }, failedAt).headers,
    );
    expect(deadLetter({ ...source, offset: large }, failedAt).headers[DeadLetterHeaders.sourceOffset]).toBe(
      large,
    );
  });

  it('when a dead letter is dead-lettered again, then the new reason and origin replace the old ones', () => {
    const first = deadLetter(source, failedAt);

    const again = deadLetter(
      { ...source, topic: 'transactions.dlq', offset: 7n, headers: first.headers, reason: 'still broken' },
      failedAt,
    );

    expect(again.headers[DeadLetterHeaders.reason]).toBe('still broken');
    expect(again.headers[DeadLetterHeaders.sourceTopic]).toBe('transactions.dlq');
    expect(again.headers[DeadLetterHeaders.sourceOffset]).toBe('7');
    expect(again.headers['trace-id']).toBe('abc');
  });

  it('when the record had no key and no value, then both stay null', () => {
    const letter = deadLetter({ ...source, key: null, value: null }, failedAt);

    expect(letter.key).toBeNull();
    expect(letter.value).toBeNull();
  });
});

describe('textHeaders', () => {
  it('when kafkajs hands over buffers, strings, lists and empty values, then each becomes text', () => {
    const headers = textHeaders({
      buffer: Buffer.from('ключ'),
      text: 'plain',
      list: [Buffer.from('a'), 'b'],
      missing: undefined,
    });

    expect(headers).toEqual({ buffer: 'ключ', text: 'plain', list: 'a,b', missing: '' });
  });

  it('when a header has no value on the wire (kafkajs gives null), then it is empty text, not "null"', () => {
    const headers = textHeaders({ empty: null } as unknown as IHeaders);

    expect(headers).toEqual({ empty: '' });
  });

  it('when a record has no headers, then there are none', () => {
    expect(textHeaders(undefined)).toEqual({});
  });
});
