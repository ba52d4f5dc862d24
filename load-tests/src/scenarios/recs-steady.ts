import type { LoadOptions } from '../options.js';
import { defineScenario } from '../scenario.js';
import { SLO } from '../slo.js';
import { sloThreshold } from '../thresholds.js';
import {
  openRecommendations,
  recommendationMetrics,
  recommendationParams,
} from '../workloads/recommendations.js';

/**
 * The recommendation mix at a steady rate: one entry for ordinary calls,
 * judged on the design's p95, and a 1 % side stream of explain calls, which
 * return every stage's output and are judged only on errors.
 */
export const recsOptions = {
  scenarios: {
    recommendations: {
      executor: 'constant-arrival-rate',
      rate: 200,
      timeUnit: '1s',
      duration: '60s',
      preAllocatedVUs: 50,
      maxVUs: 2000,
    },
    explain: {
      executor: 'constant-arrival-rate',
      exec: 'explain',
      rate: 2,
      timeUnit: '1s',
      duration: '60s',
      maxVUs: 200,
    },
  },
  thresholds: {
    'latency{scenario:recommendations}': [sloThreshold(SLO.recs.endToEndP95)],
    availability: [sloThreshold(SLO.recs.availability)],
  },
  warmup: '5s',
  tags: { design: 'recs' },
} satisfies LoadOptions;

export default defineScenario({
  name: 'recs-steady',
  description:
    'GET /v1/recommendations at a constant 200/s for 60 s (Zipf users, 5 % new users, 1 % explain)',
  target: 'rec-api',
  params: recommendationParams,
  metrics: recommendationMetrics,
  options: recsOptions,
  open: openRecommendations,
});
