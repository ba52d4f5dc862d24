/**
 * The faults the console can inject, described once; the page lists them
 * from here and `POST /api/faults` takes their ids. Each says what a viewer
 * should see on the topology within seconds.
 */
export interface FaultSpec {
  id: string;
  title: string;
  description: string;
  /** The argument it takes (the page shows a number field), if any. */
  needs?: 'seconds';
}

export const FAULTS: readonly FaultSpec[] = [
  {
    id: 'pause-redis',
    title: 'pause Redis',
    description:
      'CLIENT PAUSE for N s: the gateway reads features from Redis and txn-api claims ids in it, so the feature store box falls back and txn-api answers late or fails, then both recover',
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
