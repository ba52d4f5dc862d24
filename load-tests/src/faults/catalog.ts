import { KILLABLE_SERVICES } from './kill-service.js';
import { THROTTLABLE_SERVICES, THROTTLE_CYCLE, throttleFaultId } from './throttle-service.js';

/**
 * Every fault the project can inject into a running stack, described once:
 * the console's buttons (services/console) are drawn from this list and its
 * `POST /api/faults` takes these ids; the load runner's kill step
 * (`--kill <service>` of the failure scenarios) crashes the same services,
 * `KILLABLE_SERVICES`; the throttle (`throttle-service.ts`) adds latency at
 * one recs stage. Each description says what a viewer of the console's
 * topology should see within seconds.
 */
export interface FaultSpec {
  id: string;
  title: string;
  description: string;
  /** The argument it takes, if any (the console shows a number field). */
  needs?: 'seconds';
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
];

export const faultById = (id: string): FaultSpec | undefined => FAULTS.find((fault) => fault.id === id);
