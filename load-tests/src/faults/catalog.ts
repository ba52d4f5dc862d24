import { HA_SERVICES, instancesOf } from './ha-layout.js';
import { KILL_KAFKA_LEADER } from './kafka-leader.js';
import { killInstanceFaultId } from './kill-instance.js';
import { KILLABLE_SERVICES } from './kill-service.js';
import { KILL_REDIS_PRIMARY } from './redis-primary.js';
import { RESTART_SERVERS } from './restart-servers.js';
import { THROTTLABLE_SERVICES, THROTTLE_CYCLE, throttleFaultId } from './throttle-service.js';

/**
 * Every fault the project can inject into a running stack, described once:
 * the console's buttons (services/console) are drawn from this list and its
 * `POST /api/faults` takes these ids; the load runner's kill step
 * (`--kill <service>` of the failure scenarios) crashes the same services,
 * `KILLABLE_SERVICES`; the throttle (`throttle-service.ts`) adds latency at
 * one recs stage. The `ha` faults (`profile: 'ha'`) need the replicated
 * stack (`npm start -- --profile ha`); the load runner's `drill` scenario
 * injects them in sequence, and one of them is injected with
 * `haFaultSteps([id], 1, haFaultDeps({ root }))[0].inject()` (ha-steps.ts),
 * whose `recovery()` then says when the stack is back. Each description says what a viewer of the
 * console's topology should see within seconds.
 */
export interface FaultSpec {
  id: string;
  title: string;
  description: string;
  /** The argument it takes, if any (the console shows a number field). */
  needs?: 'seconds';
  /** Set when the fault needs that profile of the stack (its servers or its second instances). */
  profile?: 'ha';
}

export const killFaultId = (service: string) => `kill-${service}`;

export const FAULTS: readonly FaultSpec[] = [
  ...KILLABLE_SERVICES.map(
    (service): FaultSpec => ({
      id: killFaultId(service),
      title: `kill ${service}`,
      description: `SIGKILL to the ${service} that npm start runs (checked against its pid file and entry point), which then restarts it: its box goes down, then comes back; txn-api answers rules-only meanwhile where the owner or the scorer is missing`,
    }),
  ),
  ...THROTTLABLE_SERVICES.map(
    (service): FaultSpec => ({
      id: throttleFaultId(service),
      title: `slow the ${service} down`,
      description: `for N s the ${service} that npm start runs is frozen ${THROTTLE_CYCLE.freezeMs} ms of every ${THROTTLE_CYCLE.periodMs} ms (SIGSTOP, SIGCONT: what a CPU quota does to a container): rec-api's calls that land in a freeze wait past its ${service} deadline and fall back, so rec-api's latency and the ${service} box's fell-back share rise while the ${service}'s own latency moves less (it times a request from when it reads it); then all recover`,
      needs: 'seconds',
    }),
  ),
  {
    id: 'pause-redis',
    title: 'pause Redis',
    description:
      'CLIENT PAUSE for N s: the gateway reads features from Redis and txn-api claims ids in it, so the feature store box turns red (its reads fall back) and txn-api answers late, then both recover',
    needs: 'seconds',
  },
  {
    id: 'stop-chargebacks',
    title: 'stop the chargeback feed',
    description:
      "the demo traffic withholds its chargebacks: the monitor's chargebacks/s drops to 0 and its label coverage stops growing",
  },
  {
    id: 'resume-chargebacks',
    title: 'resume the chargeback feed',
    description:
      'chargebacks are reported again from the next simulated one (the withheld ones are lost, as labels that never came)',
  },
  {
    id: 'inject-drift',
    title: 'inject feature drift',
    description:
      "for N s the demo payments' amounts are tripled: the monitor's PSI on the amount features rises past its alarm threshold once its sample holds enough of them",
    needs: 'seconds',
  },
  ...HA_SERVICES.map(
    (service): FaultSpec => ({
      id: killInstanceFaultId(service),
      title: `kill one ${service} instance (ha)`,
      description:
        instancesOf(service) > 1
          ? `SIGKILL to ${service}-1 of the ha stack (checked against its pid file and entry point): its callers and the balancer pass over it and ${service}-2 serves alone until npm start has restarted it and its /readyz answers again`
          : `SIGKILL to ${service}-1, the one instance the ha stack runs (checked against its pid file and entry point): txn-api answers rules-only until npm start has restarted it and its /readyz answers again`,
      profile: 'ha',
    }),
  ),
  {
    id: KILL_KAFKA_LEADER,
    title: 'kill the busiest Kafka node (ha)',
    description:
      "SIGKILL to the Kafka node leading the most partitions (the cluster's metadata, counted per node; its pid file, kafka.Kafka and its own server.properties checked): the controller fences it and elects leaders on the two others, producers and consumers stall for the election, then go on with 2 of 3 replicas in sync; it stays down until the servers are restarted",
    profile: 'ha',
  },
  {
    id: KILL_REDIS_PRIMARY,
    title: 'kill the Redis primary (ha)',
    description:
      'SIGKILL to the redis-server the Sentinels name as primary (SENTINEL get-master-addr-by-name; the process on that port checked): two Sentinels agree it is down, promote the replica, and the services follow through the Sentinels; reads and claims fail or wait for those seconds; it stays down until the servers are restarted',
    profile: 'ha',
  },
  {
    id: RESTART_SERVERS,
    title: 'restart the stopped ha servers',
    description:
      'npm run infra -- up --profile ha: starts the Kafka nodes and Redis servers that are down and reuses the rest; the Kafka node catches up until every partition is in sync on 3 nodes, the old Redis primary rejoins as a replica of the new one',
    profile: 'ha',
  },
];

export const faultById = (id: string): FaultSpec | undefined => FAULTS.find((fault) => fault.id === id);
