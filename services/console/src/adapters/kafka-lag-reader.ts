import type { Admin, Kafka } from 'kafkajs';
import { type GroupLag, LagHistory, topicLag } from '../domain/kafka-lag.js';

/**
 * Reads every consumer group's lag with kafkajs' admin client (list the
 * groups, their committed offsets, the topics' end offsets) every
 * `intervalMs`, into a `LagHistory`. Groups whose name starts with one of
 * `ignoreGroupPrefixes` (throw-away readers, the console's own) are left out.
 */
export class KafkaLagReader {
  readonly history: LagHistory;
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: {
      intervalMs: number;
      windowMs: number;
      ignoreGroupPrefixes: string[];
      /** When given, only groups starting with one of these (a shared broker's other users left out). */
      onlyGroupPrefixes?: string[];
    },
  ) {
    this.history = new LagHistory(options.windowMs);
  }

  start(): void {
    const tick = () => {
      this.running = this.readOnce().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.options.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
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
