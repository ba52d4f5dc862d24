// The feature state layer without Kafka: what the state-design benchmark
// (bench/src/fraud/state-designs.ts) runs to compare against per-transaction Redis Lua.
export { RedisFeatureStateStore } from './adapters/redis-state-store.js';
export { WorkerCheckpointer } from './adapters/worker-checkpointer.js';
export { CheckpointReplica } from './domain/checkpoint-replica.js';
export type { EngineEvent } from './domain/events.js';
export { FeatureTask } from './domain/feature-task.js';
export { InlineCheckpointer } from './domain/inline-checkpointer.js';
