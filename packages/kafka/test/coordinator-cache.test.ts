import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { cacheCoordinators, withCachedCoordinators } from '../src/stream/coordinator-cache.js';

function fakeCluster(answers: Array<Promise<unknown>>) {
  const asked: string[] = [];
  const cluster = {
    findGroupCoordinator(query: { groupId: string; coordinatorType?: number }) {
      asked.push(`${query.coordinatorType ?? 0}:${query.groupId}`);
      return answers.shift() ?? Promise.resolve('broker');
    },
  };
  return { cluster, asked };
}

describe('coordinator cache', () => {
  it('when a coordinator is asked for again within the ttl, then the broker is asked once per group and kind', async () => {
    const { cluster, asked } = fakeCluster([]);
    let clock = 0;
    cacheCoordinators(cluster, 1000, () => clock);

    await cluster.findGroupCoordinator({ groupId: 'tx', coordinatorType: 1 });
    clock = 999;
    await cluster.findGroupCoordinator({ groupId: 'tx', coordinatorType: 1 });
    await cluster.findGroupCoordinator({ groupId: 'group' });

    expect(asked).toEqual(['1:tx', '0:group']);
  });

  it('when the ttl has passed, then the broker is asked again', async () => {
    const { cluster, asked } = fakeCluster([]);
    let clock = 0;
    cacheCoordinators(cluster, 1000, () => clock);

    await cluster.findGroupCoordinator({ groupId: 'tx', coordinatorType: 1 });
    clock = 1000;
    await cluster.findGroupCoordinator({ groupId: 'tx', coordinatorType: 1 });

    expect(asked).toEqual(['1:tx', '1:tx']);
  });

  it('when a lookup fails, then it is not remembered', async () => {
    const { cluster, asked } = fakeCluster([Promise.reject(new Error('coordinator moved'))]);
    cacheCoordinators(cluster, 1000, () => 0);

    await expect(cluster.findGroupCoordinator({ groupId: 'tx' })).rejects.toThrow('coordinator moved');
    await expect(cluster.findGroupCoordinator({ groupId: 'tx' })).resolves.toBe('broker');

    expect(asked).toEqual(['0:tx', '0:tx']);
  });

  it('when given a kafkajs client, then only the clients built inside get the cache, and the client is left as it was', () => {
    const kafka = new Kafka({ clientId: 'cache-test', brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });
    const symbol = Object.getOwnPropertySymbols(kafka).find(
      (s) => s.description === 'private:Kafka:createCluster',
    );
    expect(symbol).toBeDefined();
    const owner = kafka as unknown as Record<symbol, (options: object) => { findGroupCoordinator: unknown }>;
    const original = owner[symbol!]!;
    const plain = original({}).findGroupCoordinator;

    const inside = withCachedCoordinators(kafka, () => owner[symbol!]!({}).findGroupCoordinator);

    expect(inside).not.toBe(plain);
    expect(owner[symbol!]).toBe(original);
  });
});
