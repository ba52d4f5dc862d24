import { defineScenario } from '../scenario.js';
import {
  openRecommendations,
  recommendationMetrics,
  recommendationParams,
} from '../workloads/recommendations.js';
import { recsOptions } from './recs-steady.js';

/** Up from 20/s to 400/s, a plateau, and back down: where does the p95 start to climb? */
const stages = [
  { target: 100, duration: '30s' },
  { target: 400, duration: '60s' },
  { target: 400, duration: '30s' },
  { target: 20, duration: '30s' },
];

export default defineScenario({
  name: 'recs-ramp',
  description: 'GET /v1/recommendations ramping 20/s -> 400/s -> 20/s over 150 s (same mix as recs-steady)',
  target: 'rec-api',
  params: recommendationParams,
  metrics: recommendationMetrics,
  options: {
    ...recsOptions,
    scenarios: {
      recommendations: {
        executor: 'ramping-arrival-rate',
        startRate: 20,
        timeUnit: '1s',
        stages,
        preAllocatedVUs: 50,
        maxVUs: 4000,
      },
      explain: {
        executor: 'ramping-arrival-rate',
        exec: 'explain',
        startRate: 0.2,
        timeUnit: '1s',
        // The side stream follows the main one at 1 %.
        stages: stages.map((s) => ({ ...s, target: s.target / 100 })),
        maxVUs: 200,
      },
    },
  },
  open: openRecommendations,
});
