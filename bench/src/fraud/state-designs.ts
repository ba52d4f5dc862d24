// The feature state alone (no Kafka), compared across designs on the same payments.
import type { Transaction } from '@mlsys/contracts';
import { loadFraudArtifacts } from '@mlsys/fraud-core';
import { closeRedis, connectRedis, createRedis, type RedisClient, unlinkMatching } from '@mlsys/redis';
import { uniqueName } from '@mlsys/testkit';
import { inMemoryWithCheckpoints } from './in-memory-design.js';
import { luaPerTransaction } from './redis-lua-design.js';
import { round } from './round.js';

/** Payments the state-design comparison replays (20 s of the stream at 10,000/s). */
export const DESIGN_PAYMENTS = 200_000;
/** The Lua design is slow enough that fewer payments give a steady figure. */
const LUA_PAYMENTS = 30_000;

export interface DesignRow {
  design: string;
  payments: number;
  /** Payments per second through the state layer alone, one client process. */
  tx_per_s: number;
  /** Redis CPU per payment (INFO cpu, user + system). */
  redis_cpu_us_per_tx: number;
}

/**
 * The feature state alone (no Kafka), on the same payments stamped as the
 * stream stamps them (10,000/s of wall time):
 *
 * - `redis-lua-per-tx`: one Lua call per payment that checks its id and
 *   updates and reads bucketed 1h/24h/7d count and amount windows for its
 *   card, terminal and device (what a stateless worker over Redis does),
 *   64 calls in flight;
 * - `memory-checkpoint-every-batch`: the feature engine's own code
 *   (FeatureTask, fraud-core, RedisFeatureStateStore), batches of 500, every
 *   changed entity written to Redis with the offsets after each batch, on
 *   the stream's thread;
 * - `memory-checkpoint-5s`: the same, checkpointed every 5 s;
 * - `memory-replica-thread-5s`: what the service runs: checkpoints every 5 s
 *   written by the replica in a worker thread; throughput is the stream
 *   thread's (the replica works beside it, on the other core).
 */
export async function compareStateDesigns(
  settings: { redisUrl: string; artifactsDir: string },
  payments: readonly Transaction[],
): Promise<DesignRow[]> {
  const redis = createRedis({ url: settings.redisUrl, commandTimeoutMs: 30_000 });
  await connectRedis(redis, settings.redisUrl);
  const namespace = uniqueName('bench');
  const stamped = payments
    .slice(0, DESIGN_PAYMENTS)
    .map((p, i) => ({ ...p, eventTime: 1_800_000_000_000 + Math.floor(i / 10) }));
  const rows: DesignRow[] = [];
  try {
    rows.push(
      await measureDesign(redis, 'redis-lua-per-tx', () =>
        luaPerTransaction(redis, namespace, stamped.slice(0, LUA_PAYMENTS)),
      ),
    );
    const terminals = loadFraudArtifacts(settings.artifactsDir).terminals;
    for (const [design, checkpointIntervalMs, placement] of [
      ['memory-checkpoint-every-batch', 0, 'same-thread'],
      ['memory-checkpoint-5s', 5_000, 'same-thread'],
      ['memory-replica-thread-5s', 5_000, 'replica-thread'],
    ] as const) {
      rows.push(
        await measureDesign(redis, design, () =>
          inMemoryWithCheckpoints(redis, {
            redisUrl: settings.redisUrl,
            namespace: `${namespace}-${design}`,
            terminals,
            payments: stamped,
            checkpointIntervalMs,
            placement,
          }),
        ),
      );
    }
  } finally {
    await unlinkMatching(redis, `${namespace}*`);
    await closeRedis(redis);
  }
  for (const row of rows) {
    console.log(
      `  state design ${row.design.padEnd(30)} ${row.tx_per_s} tx/s, Redis ${row.redis_cpu_us_per_tx} µs CPU per payment`,
    );
  }
  return rows;
}

/** Runs `work` (which answers how many payments it processed) and what it cost Redis. */
async function measureDesign(
  redis: RedisClient,
  design: string,
  work: () => Promise<number>,
): Promise<DesignRow> {
  const cpuBefore = await redisCpuSeconds(redis);
  const started = performance.now();
  const payments = await work();
  const seconds = (performance.now() - started) / 1000;
  const redisCpu = (await redisCpuSeconds(redis)) - cpuBefore;
  return {
    design,
    payments,
    tx_per_s: Math.round(payments / seconds),
    redis_cpu_us_per_tx: round((redisCpu * 1e6) / payments, 1),
  };
}

async function redisCpuSeconds(redis: RedisClient): Promise<number> {
  const info = await redis.info('cpu');
  const value = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return value('used_cpu_user') + value('used_cpu_sys');
}
