import { compileSchema } from '@mlsys/contracts';
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { isDead, refusedRecord, toEntry, withDeadRecords } from '../src/stream/dead-records.js';
import type { StreamRecord } from '../src/stream/task.js';

const Ping = compileSchema(Type.Object({ n: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }));
const decode = (_topic: string, value: Buffer | null) => Ping.decodeJson(value);
const message = (offset: string, value: string) => ({
  key: Buffer.from('card-1'),
  value: Buffer.from(value),
  offset,
  timestamp: '1700000000000',
  attributes: 0,
  headers: { 'trace-id': Buffer.from('abc') },
});

describe('toEntry', () => {
  it('when a message decodes, then the task gets it with its key, value and record time', () => {
    const entry = toEntry(decode, 'pings', 2, message('5', '{"n":1}'), 0n);

    expect(entry).toEqual({
      topic: 'pings',
      partition: 2,
      offset: 5n,
      key: 'card-1',
      value: { n: 1 },
      timestamp: 1700000000000,
      replay: false,
    });
  });

  it('when a message does not decode, then it is dead with its bytes, its headers and the reason', () => {
    const entry = toEntry(decode, 'pings', 2, message('5', '{"n":-1}'), 0n);

    expect(isDead(entry)).toBe(true);
    expect(entry).toMatchObject({
      topic: 'pings',
      partition: 2,
      offset: 5n,
      key: 'card-1',
      value: Buffer.from('{"n":-1}'),
      headers: { 'trace-id': 'abc' },
      reason: 'n: must be >= 0',
    });
  });

  it('when a message lies below the replay point, then it is marked as a replay, dead or not', () => {
    expect(toEntry(decode, 'pings', 0, message('4', '{"n":1}'), 5n).replay).toBe(true);
    expect(toEntry(decode, 'pings', 0, message('4', 'nope'), 5n).replay).toBe(true);
    expect(toEntry(decode, 'pings', 0, message('5', 'nope'), 5n).replay).toBe(false);
  });
});

describe('refusedRecord', () => {
  it('when the task refuses a decoded record, then it is dead with its value as JSON and the reason', () => {
    const record: StreamRecord<{ n: number }> = {
      topic: 'pings',
      partition: 1,
      offset: 9n,
      key: 'card-1',
      value: { n: 3 },
      timestamp: 1,
      replay: true,
    };

    expect(refusedRecord(record, 'features: spec v2')).toEqual({
      dead: true,
      topic: 'pings',
      partition: 1,
      offset: 9n,
      key: 'card-1',
      value: Buffer.from('{"n":3}'),
      headers: {},
      reason: 'features: spec v2',
      replay: true,
    });
  });
});

describe('withDeadRecords', () => {
  it('when records merge in event time, then a dead record goes before any live one', () => {
    const ordering = withDeadRecords<{ n: number }>({
      kind: 'event-time',
      timeOf: (record) => record.timestamp,
      rankOf: () => 1,
      maxWaitMs: 100,
    });
    const dead = toEntry(decode, 'pings', 0, message('1', 'nope'), 0n);
    const live = toEntry(decode, 'pings', 0, message('2', '{"n":1}'), 0n);

    if (ordering.kind !== 'event-time') throw new Error('the event-time ordering must stay event-time');
    expect(ordering.timeOf(dead)).toBe(Number.NEGATIVE_INFINITY);
    expect(ordering.rankOf(dead)).toBe(0);
    expect(ordering.timeOf(live)).toBe(1700000000000);
    expect(ordering.rankOf(live)).toBe(1);
  });
});
