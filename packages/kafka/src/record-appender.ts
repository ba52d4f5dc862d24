import type { JsonProducer, OutgoingMessage, RecordPosition } from './producer.js';

/** Most records in one produce request. */
const MAX_PER_REQUEST = 500;

interface Queued<T> {
  message: OutgoingMessage<T>;
  resolve(position: RecordPosition): void;
  reject(error: Error): void;
}

/**
 * Appends records to one topic, each in its key's partition (idempotent
 * producer, acks=all), and says where each landed. One produce request is
 * in flight at a time; records appended meanwhile wait and go together in
 * the next one. The idempotent producer allows one request in flight, so
 * separate sends would queue one round trip each: a burst of N records
 * would wait N round trips, and a request path that falls back to
 * publishing under load would melt down. Here a burst costs about two, and
 * a record alone still goes at once.
 */
export class RecordAppender<T> {
  private queue: Queued<T>[] = [];
  private sending = false;

  constructor(
    private readonly producer: Pick<JsonProducer, 'sendPlaced'>,
    private readonly topic: string,
    /** The partition of a key: the producer's partitioner, so a router can find it without producing. */
    private readonly partitionOf: (key: string) => number,
  ) {}

  append(message: OutgoingMessage<T>): Promise<RecordPosition> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_PER_REQUEST);
      try {
        const positions = await this.producer.sendPlaced(
          this.topic,
          batch.map(({ message }) => ({ ...message, partition: this.partitionOf(message.key) })),
        );
        for (const [index, queued] of batch.entries()) queued.resolve(positions[index]!);
      } catch (error) {
        for (const queued of batch) queued.reject(error as Error);
      }
    }
    this.sending = false;
  }
}
