import type { Admin, Kafka } from 'kafkajs';
import { type GroupLag, LagHistory, topicLag } from '../domain/kafka-lag.js';
import type { WatchCadence } from '../domain/watch-cadence.js';

/**
 * Reads every consumer group's lag with kafkajs' admin client (list the
 * groups, their committed offsets, the topics' end offsets) at a
 * `WatchCadence`'s pace, into a `LagHistory`. Groups whose name starts with one of
 * `ignoreGroupPrefixes` (throw-away readers, the console's own) are left out.
 */
export class KafkaLagReader {
  readonly history: LagHistory;
  private admin: Admin | undefined;
  private loop: { stop(): Promise<void> } | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: {
      windowMs: number;
      ignoreGroupPrefixes: string[];
      /** When given, only groups starting with one of these (a shared broker's other users left out). */
      onlyGroupPrefixes?: string[];
    },
  ) {
    this.history = new LagHistory(options.windowMs);
  }

  /** Reads at the cadence's pace until `stop()`. */
  start(cadence: WatchCadence): void {
    this.loop = cadence.loop(() => this.readOnce());
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
    this.loop = undefined;
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }

  async readOnce(): Promise<void> {
    try {
      this.history.record(Date.now(), await this.read());
    } catch (error) {
      this.history.recordFailure((error as Error).message);
      // A broken connection is not reused: the next round connects again.
      await this.admin?.disconnect().catch(() => undefined);
      this.admin = undefined;
    }
  }

  private async read(): Promise<GroupLag[]> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    const admin = this.admin;
    const { groups } = await admin.listGroups();
    const wanted = groups
      .map((g) => g.groupId)
      .filter((id) => !this.options.ignoreGroupPrefixes.some((prefix) => id.startsWith(prefix)))
      .filter((id) => this.options.onlyGroupPrefixes?.some((prefix) => id.startsWith(prefix)) ?? true)
      .sort();
    const ends = new Map<string, Awaited<ReturnType<Admin['fetchTopicOffsets']>>>();
    const lags: GroupLag[] = [];
    for (const group of wanted) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group })) {
        if (!ends.has(topic)) ends.set(topic, await admin.fetchTopicOffsets(topic));
        lags.push({ group, topic, lag: topicLag(partitions, ends.get(topic)!) });
      }
    }
    return lags;
  }
}
