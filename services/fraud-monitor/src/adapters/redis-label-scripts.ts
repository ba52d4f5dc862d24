import type { RedisClient } from '@mlsys/redis';
import { HOUR, MINUTE, SECOND } from '../domain/range-cover.js';

/**
 * Counter updates shared by both scripts. Counter fields: n decisions, fl
 * flagged, fr charged back, tp flagged and charged back; per score bin b:
 * c<b> decisions, s<b> score sum, f<b> charged back.
 */
const TALLY = `
local function decided(key, bin, flagged, score, charged)
  redis.call('HINCRBY', key, 'n', 1)
  redis.call('HINCRBY', key, 'c' .. bin, 1)
  redis.call('HINCRBYFLOAT', key, 's' .. bin, score)
  if flagged then redis.call('HINCRBY', key, 'fl', 1) end
end
local function charged(key, bin, flagged)
  redis.call('HINCRBY', key, 'fr', 1)
  redis.call('HINCRBY', key, 'f' .. bin, 1)
  if flagged then redis.call('HINCRBY', key, 'tp', 1) end
end
`;

/**
 * One decision, atomically: its record in its second's hash (created once:
 * a redelivered decision finds it and changes nothing) and the counters of
 * its hour, minute and second, with the label when its chargeback was read
 * first (the record is then the mark `cb`). KEYS: records of the second,
 * counters of the hour, the minute, the second. ARGV: transaction id, event
 * time, flagged (0/1), score bin, score.
 */
const ADD_DECISION = `${TALLY}
local previous = redis.call('HGET', KEYS[1], ARGV[1])
if previous and previous ~= 'cb' then return 0 end
local flagged = ARGV[3] == '1'
local label = previous == 'cb'
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3] .. '|' .. ARGV[4] .. '|' .. ARGV[5] .. '|' .. (label and '1' or '0'))
for k = 2, 4 do
  decided(KEYS[k], ARGV[4], flagged, ARGV[5])
  if label then charged(KEYS[k], ARGV[4], flagged) end
end
return 1
`;

/**
 * One chargeback, atomically: marks its decision's record as charged back
 * and counts the label in the decision's hour, minute and second, or, with
 * no decision yet, leaves the mark `cb` for it; either way counts its delay
 * in its payment day's delay counts. Once: a redelivered chargeback finds
 * the mark or the label and changes nothing. KEYS: as for a decision, of the
 * chargeback's event time (the transaction's, as the decision's), then the
 * delay counts of its payment day. ARGV: transaction id, whole days of
 * delay. Returns 0 (already counted), 1 (waiting for its decision), 2
 * (counted).
 */
const ADD_CHARGEBACK = `${TALLY}
local previous = redis.call('HGET', KEYS[1], ARGV[1])
if previous == 'cb' then return 0 end
if not previous then
  redis.call('HSET', KEYS[1], ARGV[1], 'cb')
  redis.call('HINCRBY', KEYS[5], ARGV[2], 1)
  return 1
end
local t, f, bin, score, label = string.match(previous, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
if label == '1' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], t .. '|' .. f .. '|' .. bin .. '|' .. score .. '|1')
for k = 2, 4 do charged(KEYS[k], bin, f == '1') end
redis.call('HINCRBY', KEYS[5], ARGV[2], 1)
return 2
`;

/** A clock (stream time, label time) only moves forward: a replay of older events leaves it. KEYS: clock. ARGV: time. */
const ADVANCE = `
local now = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > now then redis.call('SET', KEYS[1], ARGV[1]) return 1 end
return 0
`;

export interface Scripted {
  fmAddDecision(...args: (string | number)[]): unknown;
  fmAddChargeback(...args: (string | number)[]): unknown;
  fmAdvance(...args: (string | number)[]): unknown;
  pexpire(key: string, ms: number): unknown;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/** Defines the scripts on the client (ioredis adds them to its pipelines). */
export function defineLabelScripts(redis: RedisClient): void {
  redis.defineCommand('fmAddDecision', { numberOfKeys: 4, lua: ADD_DECISION });
  redis.defineCommand('fmAddChargeback', { numberOfKeys: 5, lua: ADD_CHARGEBACK });
  redis.defineCommand('fmAdvance', { numberOfKeys: 1, lua: ADVANCE });
}

/** Results of a pipeline, throwing the first command error (a batch is then replayed, not committed). */
export async function run(pipeline: {
  exec(): Promise<[Error | null, unknown][] | null>;
}): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  for (const [error] of results) if (error) throw error;
  return results.map(([, value]) => value);
}

export const floorTo = (time: number, width: number) => Math.floor(time / width) * width;

/** The key layout (README, State): every name under one prefix. */
export class LabelKeys {
  constructor(readonly namespace: string) {}

  key(...parts: (string | number)[]): string {
    return [this.namespace, ...parts].join(':');
  }

  /** Records of the second, counters of the hour, the minute, the second. */
  at(time: number): [string, string, string, string] {
    const second = floorTo(time, SECOND);
    return [
      this.key('r', second),
      this.key('h', floorTo(time, HOUR)),
      this.key('m', floorTo(time, MINUTE)),
      this.key('s', second),
    ];
  }

  /** Counters of the bucket [start, start + width). */
  counters(width: number, start: number): string {
    const kind = width === HOUR ? 'h' : width === MINUTE ? 'm' : 's';
    return this.key(kind, start);
  }

  /** Delay counts of the chargebacks of the payments of one day. */
  delays(day: number): string {
    return this.key('d', day);
  }
}
