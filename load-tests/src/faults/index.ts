// The faults as a library: the described list (the console's buttons), the kill step it shares
// with the load runner, the throttle that slows one stage down, and the ha profile's faults
// (an instance, the busiest Kafka node, the Redis primary, and restarting the servers).
export * from './catalog.js';
export { type HaEndpoints, type HaLayout, readHaEndpoints } from './ha-layout.js';
export {
  type FaultStep,
  HA_FAULT_IDS,
  type HaFaultDeps,
  haFaultDeps,
  haFaultSteps,
  type InjectedFault,
  type RecoveryReading,
} from './ha-steps.js';
export {
  busiestLeader,
  type ClusterView,
  fullyReplicated,
  KILL_KAFKA_LEADER,
  kafkaClusterReader,
  killKafkaLeader,
  leadershipMoved,
} from './kafka-leader.js';
export { killInstance, killInstanceFaultId } from './kill-instance.js';
export {
  KILLABLE_SERVICES,
  type KillableService,
  KillRefused,
  killService,
  type ProcessControl,
  type StackLayout,
  systemProcessControl,
} from './kill-service.js';
export { KILL_REDIS_PRIMARY, killRedisPrimary, redisRole, sentinelPrimary } from './redis-primary.js';
export { infraUp, RESTART_SERVERS, restartServers, serversDown } from './restart-servers.js';
export {
  type RunningThrottle,
  THROTTLABLE_SERVICES,
  THROTTLE_CYCLE,
  type ThrottlableService,
  type ThrottlePlan,
  throttleFaultId,
  throttleService,
} from './throttle-service.js';
