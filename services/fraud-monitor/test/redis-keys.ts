import type { RedisClient } from '@mlsys/redis';

/** Removes a test's keys (they would otherwise stay for the label horizon: 97 days). */
export async function deleteNamespace(redis: RedisClient, namespace: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
