import { defineScenario } from '../scenario.js';
import {
  openRecommendations,
  recommendationMetrics,
  recommendationParams,
} from '../workloads/recommendations.js';
import { recsOptions } from './recs-steady.js';

export default defineScenario({
  name: 'recs-capacity',
  description:
    'the highest rate at which GET /v1/recommendations keeps p95 < 100 ms and 99.9 % availability (x1.25 steps of 20 s)',
  target: 'rec-api',
  params: recommendationParams,
  metrics: recommendationMetrics,
  options: {
    ...recsOptions,
    capacity: { startRate: 50, factor: 1.25, maxRate: 5000, stepDuration: '20s' },
  },
  open: openRecommendations,
});
