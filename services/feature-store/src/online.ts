// The online read path as a library: what `GET /v1/users/:userId/features`
// runs, for a caller that reads the key space in Redis itself (rec-api, as an
// online-store SDK would) instead of paying an HTTP hop per request. Writes
// (materialisation, the version switch, live listens) stay with the service.
import type { Redis } from '@mlsys/redis';
import { RedisFeatureStore } from './adapters/redis-feature-store.js';
import type { FeatureStore } from './domain/ports.js';

export type { StoredUser, VersionInfo } from './domain/records.js';

/** The reads of the live version: its pointer (cached briefly) and one user's features. */
export type OnlineFeatureReader = Pick<FeatureStore, 'current' | 'user'>;

/** `redis` must use the service's `REDIS_KEY_PREFIX` as its key prefix. */
export function onlineFeatureReader(redis: Redis): OnlineFeatureReader {
  return new RedisFeatureStore(redis);
}
