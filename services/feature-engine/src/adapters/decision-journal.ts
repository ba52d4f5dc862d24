import { compileSchema, Decision } from '@mlsys/contracts';
import type { RedisClient } from '@mlsys/redis';
import type { DecidedPayment, DecisionJournal } from '../domain/request-path.js';

const decisionSchema = compileSchema(Decision);
/** An answer waits for the stream to log it for seconds; a day is ample and bounds what a dead partition leaves. */
const TTL_SECONDS = 86_400;

interface Stored {
  offset: string;
  decision: Decision;
  features: number[];
}

/**
 * Answers given on the request path and not yet logged, in Redis: a hash per
 * partition of the payments topic, `<ns>:answered:<partition>`, transaction
 * id -> `{offset, decision, features}`. Written before the answer leaves,
 * deleted once the stream's transaction logging it has committed, read back
 * by whoever owns the partition after a restart or a rebalance.
 */
export class RedisDecisionJournal implements DecisionJournal {
  constructor(
    private readonly redis: RedisClient,
    private readonly namespace: string,
  ) {}

  private key(partition: number): string {
    return `${this.namespace}:answered:${partition}`;
  }

  async save(payment: DecidedPayment): Promise<void> {
    const key = this.key(payment.partition);
    const stored: Stored = {
      offset: payment.offset.toString(),
      decision: payment.decision,
      features: payment.features,
    };
    // Two commands in one write (the client pipelines a tick's commands), not a MULTI: nothing
    // reads the hash between them, and a TTL refreshed a moment late bounds the same leftovers.
    await Promise.all([
      this.redis.hset(key, payment.transactionId, JSON.stringify(stored)),
      this.redis.expire(key, TTL_SECONDS),
    ]);
  }

  async forget(payments: ReadonlyArray<Pick<DecidedPayment, 'partition' | 'transactionId'>>): Promise<void> {
    if (payments.length === 0) return;
    const byPartition = new Map<number, string[]>();
    for (const { partition, transactionId } of payments) {
      const ids = byPartition.get(partition) ?? [];
      ids.push(transactionId);
      byPartition.set(partition, ids);
    }
    const pipeline = this.redis.pipeline();
    for (const [partition, ids] of byPartition) pipeline.hdel(this.key(partition), ...ids);
    await pipeline.exec();
  }

  async load(partitions: readonly number[]): Promise<DecidedPayment[]> {
    const payments: DecidedPayment[] = [];
    for (const partition of partitions) {
      const entries = await this.redis.hgetall(this.key(partition));
      for (const [transactionId, raw] of Object.entries(entries)) {
        const stored = JSON.parse(raw) as Stored;
        const decision = decisionSchema.validate(stored.decision);
        // A malformed entry is a bug here, not a decision to log.
        if (!decision.ok) throw new Error(`journalled decision ${transactionId} is malformed`);
        payments.push({
          transactionId,
          partition,
          offset: BigInt(stored.offset),
          decision: decision.value,
          features: stored.features,
        });
      }
    }
    return payments;
  }
}
