import { compileSchema, Decision } from '@mlsys/contracts';
import type { RedisClient } from '@mlsys/redis';
import type { DecisionStore } from '../domain/ports.js';

const decisionSchema = compileSchema(Decision);

/** Decisions as JSON strings under `decision:<transactionId>`, expiring after `ttlSeconds`. */
export class RedisDecisionStore implements DecisionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlSeconds: number,
  ) {}

  async get(transactionId: string): Promise<Decision | undefined> {
    const raw = await this.redis.get(`decision:${transactionId}`);
    if (raw === null) return undefined;
    const decoded = decisionSchema.decodeJson(raw);
    // A stored value of the wrong shape is a bug upstream, not a missing decision.
    if (!decoded.ok) throw new Error(`stored decision ${transactionId} is malformed`);
    return decoded.value;
  }

  async put(decisions: readonly Decision[]): Promise<void> {
    if (decisions.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const decision of decisions) {
      pipeline.set(`decision:${decision.transactionId}`, JSON.stringify(decision), 'EX', this.ttlSeconds);
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error !== null);
    if (failed) throw failed[0];
  }
}
