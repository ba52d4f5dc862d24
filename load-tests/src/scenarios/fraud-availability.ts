import { defineScenario } from '../scenario.js';
import { SLO } from '../slo.js';
import { sloThreshold } from '../thresholds.js';
import {
  defaultAvailabilityDeps,
  type FraudAvailabilityDeps,
  fraudAvailabilityMetrics,
  fraudAvailabilityParams,
  fraudAvailabilityWorkload,
} from '../workloads/fraud-availability.js';

/** The scenario, with the process control and decision feed injectable (tests crash a stand-in, not the stack). */
export function fraudAvailabilityScenario(deps: FraudAvailabilityDeps = defaultAvailabilityDeps) {
  return defineScenario({
    name: 'fraud-availability',
    description:
      'POST /v1/transactions?wait=true at 200/s for 60 s with one crash (--kill fraud-scorer|feature-engine at --kill-at 20 s); availability, pipeline vs rules-only, lost/duplicated decisions',
    target: 'txn-api',
    params: fraudAvailabilityParams,
    metrics: fraudAvailabilityMetrics,
    options: {
      scenarios: {
        transactions: {
          executor: 'constant-arrival-rate',
          rate: 200,
          timeUnit: '1s',
          duration: '60s',
          preAllocatedVUs: 100,
          maxVUs: 5000,
        },
      },
      thresholds: {
        // Available = 2xx within the deadline, pipeline or flagged rules-only (src/workloads/availability.ts).
        availability: [sloThreshold(SLO.fraud.availability)],
        decisions_lost: [sloThreshold(SLO.fraud.lostDecisions)],
        decisions_duplicated: [sloThreshold(SLO.fraud.duplicatedDecisions)],
      },
      warmup: '5s',
      tags: { design: 'fraud' },
    },
    open: fraudAvailabilityWorkload(deps),
  });
}

export default fraudAvailabilityScenario();
