import { Kafka, logLevel } from 'kafkajs';
import { HA_START, type HaLayout, haPidFile, kafkaNodeName, kafkaPropertiesOf } from './ha-layout.js';
import { type CheckedProcess, checkedProcess, KillRefused, type ProcessControl } from './process-check.js';

/**
 * SIGKILL to the Kafka node that leads the most partitions: the loss that
 * moves the most leadership at once. Its partitions stay writable on the two
 * other replicas (RF 3, min ISR 2) once the controller has fenced the node
 * and elected new leaders; producers and consumers see that election.
 */

export const KILL_KAFKA_LEADER = 'ha-kill-kafka-leader';

/** What the cluster's metadata says: the brokers it lists and every partition's leader and replicas. */
export interface ClusterView {
  brokers: number[];
  partitions: Array<{ topic: string; partition: number; leader: number; replicas: number[]; isr: number[] }>;
}

export type ReadCluster = () => Promise<ClusterView>;

/** Asks the cluster through kafkajs admin: the brokers it lists, the metadata of every topic. */
export function kafkaClusterReader(brokers: string[]): ReadCluster {
  const kafka = new Kafka({
    clientId: 'load-tests-faults',
    brokers,
    logLevel: logLevel.NOTHING,
    // One node may be dead: fail over to the next address fast rather than retry it for a minute.
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries: 2, initialRetryTime: 200 },
  });
  return async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      const topics = await admin.listTopics();
      const metadata = await admin.fetchTopicMetadata({ topics });
      return {
        brokers: cluster.brokers.map((b) => b.nodeId).sort((a, b) => a - b),
        partitions: metadata.topics.flatMap((topic) =>
          topic.partitions.map((p) => ({
            topic: topic.name,
            partition: p.partitionId,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
          })),
        ),
      };
    } finally {
      await admin.disconnect();
    }
  };
}

/** Partitions led per node, every listed broker present (0 when it leads none). */
export function leadersPerNode(view: ClusterView): Map<number, number> {
  const counts = new Map(view.brokers.map((id) => [id, 0]));
  for (const p of view.partitions) if (p.leader >= 0) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
  return counts;
}

/** The node leading the most partitions; ties go to the lowest id, so the choice is repeatable. */
export function busiestLeader(view: ClusterView): { nodeId: number; leads: number } {
  let best: { nodeId: number; leads: number } | undefined;
  for (const [nodeId, leads] of [...leadersPerNode(view)].sort((a, b) => a[0] - b[0]))
    if (!best || leads > best.leads) best = { nodeId, leads };
  if (!best) throw new KillRefused('the Kafka cluster lists no broker: is the ha stack up?');
  return best;
}

/** Every partition has a leader on a node other than `dead`: writes go on without it. */
export function leadershipMoved(view: ClusterView, dead: number): boolean {
  return view.partitions.length > 0 && view.partitions.every((p) => p.leader >= 0 && p.leader !== dead);
}

/** Every broker listed and every partition's replicas all in sync: the cluster as it was. */
export function fullyReplicated(view: ClusterView, brokers: number): boolean {
  return (
    view.brokers.length === brokers &&
    view.partitions.length > 0 &&
    view.partitions.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length)
  );
}

/** Checks the node's process: its pid file, `kafka.Kafka` and this node's own properties file. */
export function findKafkaNodeProcess(
  nodeId: number,
  layout: HaLayout,
  control: ProcessControl,
): Promise<CheckedProcess> {
  const name = kafkaNodeName(nodeId);
  const properties = kafkaPropertiesOf(layout, nodeId);
  return checkedProcess(
    {
      name,
      pidFile: haPidFile(layout, name),
      action: 'kill',
      kind: 'server',
      startCommand: HA_START,
      expected: `kafka.Kafka with ${properties}`,
      matches: (commandLine) => commandLine.includes('kafka.Kafka') && commandLine.includes(properties),
    },
    control,
  );
}

/** Picks the busiest leader, checks its process and SIGKILLs it. */
export async function killKafkaLeader(
  layout: HaLayout,
  control: ProcessControl,
  readCluster: ReadCluster,
): Promise<CheckedProcess & { nodeId: number; leads: number; partitions: number }> {
  const view = await readCluster();
  const { nodeId, leads } = busiestLeader(view);
  const target = await findKafkaNodeProcess(nodeId, layout, control);
  control.kill(target.pid, 'SIGKILL');
  return { ...target, nodeId, leads, partitions: view.partitions.length };
}
