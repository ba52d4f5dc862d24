// The state design the blueprint starts from: a stateless worker over Redis, one Lua call per
// payment.
import type { Transaction } from '@mlsys/contracts';
import { toCents } from '@mlsys/fraud-core';
import { defineLuaScript, type RedisClient } from '@mlsys/redis';

/** Windows of the Lua design: 1h of 1-minute, 24h of 15-minute and 7d of 1-hour buckets. */
const LUA_WINDOWS = [
  [60_000, 60],
  [900_000, 96],
  [3_600_000, 168],
] as const;

/** Lua calls kept in flight, as a worker serving many cards at once would. */
const CALLS_IN_FLIGHT = 64;

/**
 * Nil for an id seen before; otherwise, per key after the first, the window's
 * payment count and amount sum in cents after adding this payment.
 */
const updateWindows = defineLuaScript<(string | number)[], number[] | null>(
  'benchFraudUpdateWindows',
  `
  if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', 2592000000) then return nil end
  local time, cents, windows = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
  local out = {}
  for k = 2, #KEYS do
    local w = (k - 2) % windows
    local bucketMs, span = tonumber(ARGV[4 + 2 * w]), tonumber(ARGV[5 + 2 * w])
    local bucket = math.floor(time / bucketMs)
    redis.call('HINCRBY', KEYS[k], 'c' .. bucket, 1)
    redis.call('HINCRBY', KEYS[k], 's' .. bucket, cents)
    local count, sum = 0, 0
    local fields = redis.call('HGETALL', KEYS[k])
    for i = 1, #fields, 2 do
      local b = tonumber(string.sub(fields[i], 2))
      if b <= bucket - span then
        redis.call('HDEL', KEYS[k], fields[i])
      elseif string.sub(fields[i], 1, 1) == 'c' then
        count = count + tonumber(fields[i + 1])
      else
        sum = sum + tonumber(fields[i + 1])
      end
    end
    out[#out + 1] = count
    out[#out + 1] = sum
  end
  return out
  `,
);

/** Updates and reads the windows of each payment's card, terminal and device; answers the payments done. */
export async function luaPerTransaction(
  redis: RedisClient,
  namespace: string,
  payments: readonly Transaction[],
): Promise<number> {
  const windowArgs = LUA_WINDOWS.flat();
  const call = (p: Transaction) => {
    const entities = [
      `card:${p.cardId}`,
      `terminal:${p.terminalId}`,
      ...(p.deviceId ? [`device:${p.deviceId}`] : []),
    ];
    const keys = [`${namespace}:seen:${p.transactionId}`];
    for (const entity of entities)
      for (const [bucketMs] of LUA_WINDOWS) keys.push(`${namespace}:${entity}:${bucketMs}`);
    return updateWindows.run(redis, keys, p.eventTime, toCents(p.amount), LUA_WINDOWS.length, ...windowArgs);
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: CALLS_IN_FLIGHT }, async () => {
      while (next < payments.length) await call(payments[next++]!);
    }),
  );
  return payments.length;
}
