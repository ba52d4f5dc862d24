import { compileSchema, PartitionOwner } from '@mlsys/contracts';
import { partitionOfKey } from '@mlsys/kafka';
import type { RedisClient } from '@mlsys/redis';
import type { OwnerDirectory } from '../domain/ports.js';

const ownerSchema = compileSchema(PartitionOwner);
/** How often the announcements are re-read without being asked (a misdirected request re-reads at once). */
const REFRESH_MS = 1_000;

/**
 * Which feature-engine instance owns each partition of `transactions`, as
 * the instances announce it in Redis (`fraud:owners:<their consumer group>`),
 * re-read every second and whenever a request found the wrong owner. The
 * card's partition is computed with the producer's own partitioner.
 */
export class RedisOwnerDirectory implements OwnerDirectory {
  private owners = new Map<number, PartitionOwner>();
  private reading: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly topic: string,
    private readonly partitions: number,
    private readonly onError: (error: Error) => void,
  ) {
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  partitionOf(cardId: string): number {
    return partitionOfKey(this.topic, cardId, this.partitions);
  }

  ownerOf(partition: number): PartitionOwner | undefined {
    return this.owners.get(partition);
  }

  /** Re-reads the announcements; concurrent callers share one read. */
  refresh(): Promise<void> {
    this.reading ??= this.read()
      .catch((error: Error) => this.onError(error))
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }

  private async read(): Promise<void> {
    const raw = await this.redis.hgetall(this.key);
    const owners = new Map<number, PartitionOwner>();
    for (const value of Object.values(raw)) {
      const decoded = ownerSchema.decodeJson(value);
      if (!decoded.ok) continue;
      owners.set(decoded.value.partition, decoded.value);
    }
    this.owners = owners;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
