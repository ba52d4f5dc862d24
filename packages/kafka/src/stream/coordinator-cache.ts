import type { Kafka } from 'kafkajs';

/** kafkajs 2.2.4 keeps the factory of each client's cluster under this private symbol. */
const CREATE_CLUSTER = 'private:Kafka:createCluster';

interface CoordinatorQuery {
  groupId: string;
  coordinatorType?: number;
}

interface ClusterLike {
  findGroupCoordinator(query: CoordinatorQuery): Promise<unknown>;
}

/**
 * Builds a client (a transactional producer) whose cluster remembers group
 * and transaction coordinators for `ttlMs`. kafkajs asks the broker again
 * before every coordinator request: AddPartitionsToTxn, AddOffsetsToTxn,
 * TxnOffsetCommit and EndTxn each cost one more FindCoordinator round trip,
 * four per transaction, on the critical path of every batch. A failed
 * lookup is forgotten at once, and a moved coordinator is found again
 * within `ttlMs` (the client's retries cover the gap). When the kafkajs
 * internals are not where 2.2.4 has them, the client is built unchanged.
 */
export function withCachedCoordinators<C>(
  kafka: Kafka,
  build: () => C,
  ttlMs = 1000,
  now: () => number = Date.now,
): C {
  const owner = kafka as unknown as Record<symbol, unknown>;
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER);
  const create = symbol ? owner[symbol] : undefined;
  if (!symbol || typeof create !== 'function') return build();
  owner[symbol] = (...args: unknown[]) => {
    const cluster = create(...args) as ClusterLike;
    if (typeof cluster?.findGroupCoordinator === 'function') cacheCoordinators(cluster, ttlMs, now);
    return cluster;
  };
  try {
    return build();
  } finally {
    owner[symbol] = create;
  }
}

export function cacheCoordinators(cluster: ClusterLike, ttlMs: number, now: () => number): void {
  const find = cluster.findGroupCoordinator.bind(cluster);
  const cache = new Map<string, { at: number; broker: Promise<unknown> }>();
  cluster.findGroupCoordinator = (query: CoordinatorQuery) => {
    const key = `${query.coordinatorType ?? 0}:${query.groupId}`;
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.broker;
    const broker = find(query);
    const entry = { at: now(), broker };
    cache.set(key, entry);
    broker.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
    return broker;
  };
}
