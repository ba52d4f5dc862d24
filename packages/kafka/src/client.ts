import { type Admin, Kafka, type KafkaConfig, logLevel as KafkaLogLevel, type LogEntry } from 'kafkajs';

/** The logging slice kafkajs needs; a pino logger fits it. */
export interface KafkaLogSink {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface KafkaSettings {
  clientId: string;
  brokers: string[];
  logger?: KafkaLogSink;
  /** How long to try to reach a broker at start before failing. */
  connectionTimeoutMs?: number;
  /** Probes that expect failures (is the broker up yet?) should not log each one. */
  silent?: boolean;
  /** Connection attempts before a request fails. */
  retries?: number;
}

const LEVELS: Record<number, keyof KafkaLogSink> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/**
 * The broker's answer to a transaction started while it still writes the
 * previous one's commit markers (CONCURRENT_TRANSACTIONS): kafkajs logs each
 * one as an error, then retries it, as it should, a few ms later. Back-to-back
 * transactions meet it every few batches, so it is logged at debug.
 */
const CONCURRENT_TRANSACTIONS_MESSAGE = 'another concurrent operation on the same transaction';

function isExpectedRetry(message: string, rest: Record<string, unknown>): boolean {
  return (
    message.includes(CONCURRENT_TRANSACTIONS_MESSAGE) ||
    String(rest.error ?? '').includes(CONCURRENT_TRANSACTIONS_MESSAGE)
  );
}

/** Writes one kafkajs log entry to our logger, at its level (expected retries at debug). */
export function kafkaLogEntryTo(logger: KafkaLogSink) {
  return ({ level, log }: LogEntry): void => {
    const { message, ...rest } = log;
    const expected = isExpectedRetry(message, rest);
    logger[expected ? 'debug' : (LEVELS[level] ?? 'info')]({ kafka: rest }, message);
  };
}

/** A kafkajs client whose logs go to our structured logger instead of kafkajs' console lines. */
export function createKafka({
  clientId,
  brokers,
  logger,
  connectionTimeoutMs = 3000,
  silent = false,
  retries = 8,
}: KafkaSettings): Kafka {
  const config: KafkaConfig = {
    clientId,
    brokers,
    connectionTimeout: connectionTimeoutMs,
    retry: { initialRetryTime: 100, retries },
    logLevel: silent ? KafkaLogLevel.NOTHING : KafkaLogLevel.WARN,
  };
  if (logger) config.logCreator = () => kafkaLogEntryTo(logger);
  return new Kafka(config);
}

export interface TopicSpec {
  name: string;
  partitions: number;
}

/** How a created topic is replicated: once on a single broker, three times with an ISR of two on a cluster. */
export interface TopicReplication {
  replicationFactor: number;
  /** The topic's `min.insync.replicas`; absent: the broker's default. */
  minInsyncReplicas?: number;
}

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly TopicSpec[],
  replication: TopicReplication = { replicationFactor: 1 },
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createMissing(admin, topics, replication);
  } finally {
    await admin.disconnect();
  }
}

async function createMissing(
  admin: Admin,
  topics: readonly TopicSpec[],
  { replicationFactor, minInsyncReplicas }: TopicReplication,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.name));
  if (missing.length > 0) {
    const configEntries =
      minInsyncReplicas === undefined
        ? []
        : [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }];
    await admin.createTopics({
      // kafkajs waits on one broker's metadata for at most 5 s (on a KRaft cluster that broker may
      // not know the topic yet: UNKNOWN_TOPIC_OR_PARTITION, not retried), and not at all when a
      // peer starting beside us created the topics first: we wait below, in every case.
      waitForLeaders: false,
      topics: missing.map((t) => ({
        topic: t.name,
        numPartitions: t.partitions,
        replicationFactor,
        ...(configEntries.length > 0 ? { configEntries } : {}),
      })),
    });
  }
  // Topics that already existed may have been created a moment ago by another service.
  await waitForLeaders(admin, topics);
}

/** Until the cluster's metadata gives every partition of the topics a leader. */
async function waitForLeaders(admin: Admin, topics: readonly TopicSpec[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const led = await admin
      .fetchTopicMetadata({ topics: topics.map((t) => t.name) })
      .then(({ topics: found }) =>
        topics.every((t) => {
          const partitions = found.find((f) => f.name === t.name)?.partitions ?? [];
          // An existing topic keeps its own partition count: only leaders are awaited.
          return partitions.length > 0 && partitions.every((p) => p.leader >= 0);
        }),
      )
      .catch(() => false);
    if (led) return;
    if (Date.now() > deadline)
      throw new Error(`topics ${topics.map((t) => t.name).join(', ')} had no leaders within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Readiness probe: the cluster answers a metadata request. */
export async function describeCluster(kafka: Kafka): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    return `${cluster.brokers.length} broker(s), controller ${cluster.controller}`;
  } finally {
    await admin.disconnect();
  }
}

/** How many partitions `topic` has now (what a router must hash keys over). */
export async function partitionCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const count = topics[0]?.partitions.length ?? 0;
    if (count === 0) throw new Error(`topic ${topic} has no partitions (does it exist?)`);
    return count;
  } finally {
    await admin.disconnect();
  }
}
