import type { Admin } from 'kafkajs';
import type { AssignedPartition } from './task.js';

/** Where the group's committed progress and each partition's retained records stand for a new assignment. */
export async function readAssignment(
  admin: Admin,
  groupId: string,
  assignment: Record<string, number[]>,
): Promise<AssignedPartition[]> {
  const topics = Object.keys(assignment);
  const groupOffsets = await admin.fetchOffsets({ groupId, topics });
  const assigned: AssignedPartition[] = [];
  for (const topic of topics) {
    const watermarks = await admin.fetchTopicOffsets(topic);
    const committed = groupOffsets.find((t) => t.topic === topic)?.partitions ?? [];
    for (const partition of assignment[topic] ?? []) {
      const marks = watermarks.find((w) => w.partition === partition);
      const offset = committed.find((c) => c.partition === partition)?.offset ?? '-1';
      assigned.push({
        topic,
        partition,
        committed: offset === '-1' ? null : BigInt(offset),
        end: BigInt(marks?.high ?? '0'),
        start: BigInt(marks?.low ?? '0'),
      });
    }
  }
  return assigned;
}
