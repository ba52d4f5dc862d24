import type { RedisClient } from '@mlsys/redis';
import { HOUR } from '../domain/range-cover.js';
import { floorTo, type LabelKeys, run } from './redis-label-scripts.js';

/**
 * Bumped when the key layout changes. Layout 2 added the hour counters
 * (`h:`), the delay counts (`d:`) and the label time (`labels`).
 */
export const LAYOUT = '2';

/**
 * Checks that the stored keys were written with these score bins (counters
 * of other bins cannot be summed) in this layout, and upgrades a layout-1
 * join in place: its hour counters are the sums of its minute counters.
 * Its delay counts cannot be rebuilt (records do not keep report times):
 * delays are learned from the chargebacks read after the upgrade, and the
 * label time is unknown (every group `not yet known`) until the first one.
 * Run before any consumer writes (the service opens the store first).
 */
export async function openLayout(redis: RedisClient, keys: LabelKeys, bins: number, ttlMs: number) {
  const meta = keys.key('meta');
  await redis.hsetnx(meta, 'layout', LAYOUT);
  await redis.hsetnx(meta, 'bins', String(bins));
  const [layout, storedBins] = await redis.hmget(meta, 'layout', 'bins');
  if (storedBins !== String(bins)) {
    throw new Error(
      `the Redis keys under "${keys.namespace}:" were written with ${storedBins} calibration bins, ` +
        `this start asks for ${bins}: set CALIBRATION_BINS=${storedBins} ` +
        'or start a new join under another LABELS_NAMESPACE',
    );
  }
  if (layout === '1') {
    await addHourCounters(redis, keys, ttlMs);
    await redis.hset(meta, 'layout', LAYOUT);
    return;
  }
  if (layout !== LAYOUT) {
    throw new Error(
      `the Redis keys under "${keys.namespace}:" hold layout ${layout}, this build reads layout ${LAYOUT} ` +
        '(and upgrades layout 1): start a new join under another LABELS_NAMESPACE',
    );
  }
}

/**
 * Hour counters from the minute counters, an hour at a time (SCAN pages, so
 * a big join never blocks Redis). Each hour is written whole (HSET of the
 * sums), so an upgrade interrupted and run again writes the same.
 */
async function addHourCounters(redis: RedisClient, keys: LabelKeys, ttlMs: number): Promise<void> {
  const minutesByHour = new Map<number, string[]>();
  const prefix = keys.key('m', '');
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    for (const key of found) {
      const hour = floorTo(Number(key.slice(prefix.length)), HOUR);
      const minutes = minutesByHour.get(hour) ?? [];
      minutes.push(key);
      minutesByHour.set(hour, minutes);
    }
    cursor = next;
  } while (cursor !== '0');
  for (const [hour, minutes] of minutesByHour) {
    const read = redis.pipeline();
    for (const key of minutes) read.hgetall(key);
    const sums: Record<string, number> = {};
    for (const value of await run(read)) {
      for (const [field, n] of Object.entries(value as Record<string, string>)) {
        sums[field] = (sums[field] ?? 0) + Number(n);
      }
    }
    if (Object.keys(sums).length === 0) continue;
    const hourKey = keys.key('h', hour);
    await run(redis.pipeline().hset(hourKey, sums).pexpire(hourKey, ttlMs));
  }
}
