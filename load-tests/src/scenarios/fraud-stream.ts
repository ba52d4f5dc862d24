import { defineScenario } from '../scenario.js';
import { SLO } from '../slo.js';
import { sloThreshold } from '../thresholds.js';
import { fraudStreamMetrics, fraudStreamParams, openFraudStream } from '../workloads/fraud-stream.js';

export default defineScenario({
  name: 'fraud-stream',
  description:
    'transactions straight into Kafka at 10,000/s for 60 s; decisions read back from the decisions topic',
  target: 'kafka',
  params: fraudStreamParams,
  metrics: fraudStreamMetrics,
  options: {
    scenarios: {
      transactions: {
        executor: 'constant-arrival-rate',
        rate: 10_000,
        timeUnit: '1s',
        duration: '60s',
        preAllocatedVUs: 1000,
        maxVUs: 20_000,
      },
    },
    thresholds: {
      decision_latency: [sloThreshold(SLO.fraud.decisionP99)],
      // Distinct decisions per second of load: every transaction offered at 10,000/s decided.
      decisions: [sloThreshold(SLO.fraud.throughput)],
      decision_availability: [sloThreshold(SLO.fraud.availability)],
      availability: [sloThreshold(SLO.fraud.availability)],
      decisions_lost: [sloThreshold(SLO.fraud.lostDecisions)],
      decisions_duplicated: [sloThreshold(SLO.fraud.duplicatedDecisions)],
    },
    warmup: '5s',
    tags: { design: 'fraud' },
  },
  open: openFraudStream,
});
