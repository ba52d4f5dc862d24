// What the fraud benches need before they start anything: Kafka and Redis that answer, the
// fraud artifacts, and, afterwards, a clean slate (the run's topics and keys gone).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Topics } from '@mlsys/contracts';
import { describeCluster, ensureTopics, type Kafka } from '@mlsys/kafka';
import { closeRedis, connectRedis, createRedis, unlinkMatching } from '@mlsys/redis';
import { repoRoot } from '../paths.js';

/** Fails with what to do when Kafka or Redis is not there, instead of a wall of connection errors. */
export async function checkInfra(
  kafka: Kafka,
  servers: { brokers: readonly string[]; redisUrl: string },
): Promise<void> {
  try {
    await describeCluster(kafka);
  } catch (error) {
    throw new Error(
      `cannot reach Kafka at ${servers.brokers.join(',')} (${(error as Error).message}): start it with ` +
        '`npm run infra -- up`, or point --kafka/--redis at running servers',
    );
  }
  const redis = createRedis({ url: servers.redisUrl });
  try {
    await connectRedis(redis, servers.redisUrl);
  } finally {
    await closeRedis(redis);
  }
}

/** `given`, else the first of .cache/artifacts/fraud/{default,tiny} that was built. */
export function fraudArtifactsDir(given: string | undefined): string {
  if (given) return given;
  const built = ['default', 'tiny']
    .map((profile) => join(repoRoot, '.cache', 'artifacts', 'fraud', profile))
    .find((dir) => existsSync(join(dir, 'manifest.json')));
  if (!built) {
    throw new Error(
      'no fraud artifacts under .cache/artifacts/fraud/{default,tiny}: build them with ' +
        '`node --conditions=@mlsys/source --import tsx packages/training/src/cli.ts fraud --profile default`',
    );
  }
  return built;
}

/** Deletes a run's topics and its Redis keys (those matching `keyPattern`). */
export async function deleteRun(
  kafka: Kafka,
  redisUrl: string,
  topics: string[],
  keyPattern: string,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics, timeout: 10_000 }).catch(() => {});
  } finally {
    await admin.disconnect();
  }
  const redis = createRedis({ url: redisUrl });
  await connectRedis(redis, redisUrl);
  try {
    await unlinkMatching(redis, keyPattern);
  } finally {
    await closeRedis(redis);
  }
}

/** The fraud pipeline's topics under a run id, created with the stack's partition counts. */
export async function createRunTopics(kafka: Kafka, run: string) {
  const topics = {
    transactions: `${run}.transactions`,
    chargebacks: `${run}.chargebacks`,
    enriched: `${run}.enriched`,
    decisions: `${run}.decisions`,
    dlq: `${run}.dlq`,
  };
  await ensureTopics(kafka, [
    { name: topics.transactions, partitions: Topics.transactions.partitions },
    { name: topics.chargebacks, partitions: Topics.chargebacks.partitions },
    { name: topics.enriched, partitions: Topics.transactionsEnriched.partitions },
    { name: topics.decisions, partitions: Topics.decisions.partitions },
    { name: topics.dlq, partitions: Topics.transactionsDlq.partitions },
  ]);
  return topics;
}
