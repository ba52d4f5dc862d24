import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// kafkajs' produce path, patched in patches/kafkajs@2.2.4.patch, driven here with a stand-in cluster.
const require = createRequire(import.meta.url);
const sendMessagesOf = require('kafkajs/src/producer/sendMessages.js');
const createRetry = require('kafkajs/src/retry/index.js');
const { KafkaJSConnectionError } = require('kafkajs/src/errors.js');

interface ProduceRequest {
  topicData: Array<{ topic: string; partitions: Array<{ partition: string; messages: unknown[] }> }>;
}

/** A broker that answers after `answerMs`, or fails at once while `down`. */
class StandInBroker {
  readonly requests: ProduceRequest[] = [];
  down = false;

  constructor(
    readonly nodeId: number,
    private readonly answerMs: number,
  ) {}

  async produce(request: ProduceRequest) {
    this.requests.push(request);
    if (this.down) throw new KafkaJSConnectionError('Connection error: connect ECONNREFUSED', {});
    await new Promise((resolve) => setTimeout(resolve, this.answerMs));
    return {
      topics: request.topicData.map(({ topic, partitions }) => ({
        topicName: topic,
        partitions: partitions.map(({ partition }) => ({
          partition: Number(partition),
          errorCode: 0,
          baseOffset: '0',
        })),
      })),
    };
  }

  /** Records of each partition this broker received, over all requests. */
  sent(): Map<number, number> {
    const counts = new Map<number, number>();
    for (const { topicData } of this.requests)
      for (const { partitions } of topicData)
        for (const { partition, messages } of partitions)
          counts.set(Number(partition), (counts.get(Number(partition)) ?? 0) + messages.length);
    return counts;
  }
}

/**
 * Two partitions led by brokers 1 and 2; broker 2 is down, and the metadata refresh after
 * its failure names broker 1 the new leader of its partition (a leader kill, as in the drill).
 */
function twoBrokers(broker1AnswerMs: number) {
  const brokers = [new StandInBroker(1, broker1AnswerMs), new StandInBroker(2, 0)];
  brokers[1]!.down = true;
  const leaders = new Map([
    [0, 1],
    [1, 2],
  ]);
  const cluster = {
    targetTopics: new Set<string>(),
    async addMultipleTargetTopics() {},
    async refreshMetadataIfNecessary() {},
    async refreshMetadata() {
      leaders.set(1, 1);
    },
    isConnected: () => true,
    removeBroker() {},
    findTopicPartitionMetadata: () => [
      { partitionId: 0, leader: leaders.get(0) },
      { partitionId: 1, leader: leaders.get(1) },
    ],
    findLeaderForPartitions(_topic: string, partitions: string[]) {
      const byLeader: Record<string, string[]> = {};
      for (const partition of partitions) {
        const leader = String(leaders.get(Number(partition)));
        byLeader[leader] = [...(byLeader[leader] ?? []), partition];
      }
      return byLeader;
    },
    async findBroker({ nodeId }: { nodeId: string }) {
      return brokers.find((broker) => broker.nodeId === Number(nodeId))!;
    },
  };
  const sequences = new Map<string, number>();
  const eosManager = {
    async acquireBrokerLock() {},
    async releaseBrokerLock() {},
    isTransactional: () => false,
    getProducerId: () => 1,
    getProducerEpoch: () => 0,
    getTransactionalId: () => undefined,
    getSequence: (topic: string, partition: string) => sequences.get(`${topic}:${partition}`) ?? 0,
    updateSequence(topic: string, partition: string, increment: number) {
      sequences.set(`${topic}:${partition}`, (sequences.get(`${topic}:${partition}`) ?? 0) + increment);
    },
  };
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const send = sendMessagesOf({
    logger: silent,
    cluster,
    partitioner: ({ message }: { message: { partition: number } }) => message.partition,
    eosManager,
    retrier: createRetry({ retries: 3, initialRetryTime: 1 }),
  });
  const produce = () =>
    send({
      acks: -1,
      timeout: 1000,
      topicMessages: [
        {
          topic: 'payments',
          messages: [
            { partition: 0, value: 'a' },
            { partition: 1, value: 'b' },
          ],
        },
      ],
    }) as Promise<Array<{ topicName: string; partition: number }>>;
  return { broker1: brokers[0]!, produce, sequences };
}

describe('kafkajs produce retries after a broker failed (patched)', () => {
  it("when a sibling broker's request is still in flight as the other fails, then the retry does not send its records again (2.2.4 duplicated them)", async () => {
    const { broker1, produce } = twoBrokers(30);
    const results = await produce();
    expect(broker1.sent()).toEqual(
      new Map([
        [0, 1],
        [1, 1],
      ]),
    );
    expect(results.map((r) => r.partition).sort()).toEqual([0, 1]);
  });

  it("when the failed broker's partition moves to a broker that already answered, then its records are sent there (2.2.4 dropped them and resolved)", async () => {
    const { broker1, produce, sequences } = twoBrokers(0);
    const results = await produce();
    expect(broker1.sent().get(1)).toBe(1);
    expect(results.map((r) => r.partition).sort()).toEqual([0, 1]);
    // Each partition's sequence moved by its one record: the failed request's was rolled back.
    expect([...sequences.values()]).toEqual([1, 1]);
  });
});
