import { defineScenario } from '../scenario.js';
import { SLO } from '../slo.js';
import { sloThreshold } from '../thresholds.js';
import { type DrillDeps, defaultDrillDeps, drillMetrics, drillWorkload } from '../workloads/drill.js';
import { drillParams } from '../workloads/drill-params.js';

/**
 * Kill drills under load on the `ha` stack (issue 11): both designs at once
 * through the balancer while the faults go in one after another, each after
 * the stack recovered from the last.
 *
 * One run, two targets: the runner already runs several entries of a
 * scenario side by side, each with its own `exec`, and hands every workload
 * the stack's addresses (`context.targets`). So the run's target is txn-api
 * (the first entry, which `--rate` scales; recs keeps its quarter) and the
 * `recs` entry calls rec-api at `REC_API_URL` (or `--param recsUrl=`). Each
 * entry is tagged with its design, so the thresholds filter on it.
 */
export function drillScenario(deps: DrillDeps = defaultDrillDeps) {
  return defineScenario({
    name: 'drill',
    description:
      'ha stack: fraud ?wait=true at 200/s and recommendations at 50/s through the balancer for 10 min while one instance of each service, the busiest Kafka node and the Redis primary are SIGKILLed in turn (each after the last recovered), then the servers restarted; availability and degraded share per design, lost/duplicated decisions, recovery time per fault',
    target: 'txn-api',
    params: drillParams,
    metrics: drillMetrics,
    options: {
      scenarios: {
        transactions: {
          executor: 'constant-arrival-rate',
          rate: 200,
          timeUnit: '1s',
          duration: '10m',
          preAllocatedVUs: 100,
          // A Kafka election or a Redis failover can hold payments for seconds: room for them in flight.
          maxVUs: 5000,
          tags: { design: 'fraud' },
        },
        recommendations: {
          executor: 'constant-arrival-rate',
          exec: 'recs',
          rate: 50,
          timeUnit: '1s',
          duration: '10m',
          preAllocatedVUs: 50,
          maxVUs: 2000,
          tags: { design: 'recs' },
        },
      },
      thresholds: {
        'availability{design:fraud}': [sloThreshold(SLO.fraud.availability)],
        'availability{design:recs}': [sloThreshold(SLO.recs.availability)],
        decisions_lost: [sloThreshold(SLO.fraud.lostDecisions)],
        decisions_duplicated: [sloThreshold(SLO.fraud.duplicatedDecisions)],
        // Issue 11's goal, not a design SLO: every fault injected and recovered without a manual step.
        faults_failed: ['count<=0'],
      },
      warmup: '5s',
    },
    open: drillWorkload(deps),
  });
}

export default drillScenario();
