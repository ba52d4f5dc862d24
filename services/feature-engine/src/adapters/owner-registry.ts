import type { PartitionOwner } from '@mlsys/contracts';
import type { RedisClient } from '@mlsys/redis';

/** Refreshes the announcement now and then, so a lost write or a flushed Redis heals by itself. */
const REFRESH_MS = 5_000;

/**
 * Announces which partitions of the payments topic this instance owns, so
 * txn-api can send a card's synchronous decision to its owner. Written after
 * every restore (an assignment is only announced once its state is rebuilt)
 * and refreshed periodically; a misdirected request is answered 421 by the
 * instance that does not own the partition, and the router looks again.
 */
export class OwnerRegistry {
  private owned: readonly number[] = [];
  private generation = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly self: { url: string; instance: string },
    private readonly onError: (error: Error) => void,
    private readonly clock: () => number = Date.now,
  ) {
    this.timer = setInterval(() => void this.write().catch(onError), REFRESH_MS);
    this.timer.unref();
  }

  /** The partitions owned from now on (after a restore). */
  announce(partitions: readonly number[]): void {
    this.owned = partitions;
    this.generation += 1;
    void this.write().catch(this.onError);
  }

  private async write(): Promise<void> {
    if (this.owned.length === 0) return;
    const announcedAt = this.clock();
    const fields: string[] = [];
    for (const partition of this.owned) {
      const owner: PartitionOwner = { partition, ...this.self, generation: this.generation, announcedAt };
      fields.push(String(partition), JSON.stringify(owner));
    }
    await this.redis.hset(this.key, ...fields);
  }

  /** On shutdown: withdraws the partitions still announced as this instance's. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const current = await this.redis.hgetall(this.key);
    const mine = Object.entries(current)
      .filter(([, raw]) => (JSON.parse(raw) as PartitionOwner).instance === this.self.instance)
      .map(([partition]) => partition);
    if (mine.length > 0) await this.redis.hdel(this.key, ...mine);
  }
}
