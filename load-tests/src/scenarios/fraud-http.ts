import { defineScenario } from '../scenario.js';
import { SLO } from '../slo.js';
import { sloThreshold } from '../thresholds.js';
import { fraudHttpParams, openFraudHttp } from '../workloads/fraud-http.js';

export default defineScenario({
  name: 'fraud-http',
  description: 'POST /v1/transactions?wait=true (synchronous scoring) at a constant 500/s for 60 s',
  target: 'txn-api',
  params: fraudHttpParams,
  options: {
    scenarios: {
      transactions: {
        executor: 'constant-arrival-rate',
        rate: 500,
        timeUnit: '1s',
        duration: '60s',
        preAllocatedVUs: 100,
        maxVUs: 5000,
      },
    },
    thresholds: {
      // The synchronous call answers once the decision exists: its latency is the decision latency.
      latency: [sloThreshold(SLO.fraud.decisionP99)],
      availability: [sloThreshold(SLO.fraud.availability)],
    },
    warmup: '5s',
    tags: { design: 'fraud' },
  },
  open: openFraudHttp,
});
