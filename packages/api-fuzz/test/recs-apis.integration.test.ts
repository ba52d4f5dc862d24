// The recommendation design's five services, each fuzzed from its own
// /openapi.json with the whole design running: rec-api calls the real
// stages, which read the feature store's real Redis keys.
import { testArtifactsDir, uniqueName } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fuzzService, RunningServices } from './fuzz-service.js';

const infra = inject('infra');
const ARTIFACTS_DIR = testArtifactsDir('recs');
// Listens the fuzz posts go under keys of their own, which rec-api then reads.
const REDIS_KEY_PREFIX = `${uniqueName('api-fuzz-recs')}:`;
const services = new RunningServices();
const start = (service: string, env: Record<string, string>) =>
  services.start(service, { ARTIFACTS_DIR, ...env });
const urlOf = (service: string) => services.get(service).url;

beforeAll(async () => {
  const redis = { REDIS_URL: infra.redisUrl, REDIS_KEY_PREFIX };
  await Promise.all([
    start('feature-store', redis),
    start('candidate-gen', {}),
    start('ranker', {}),
    start('rules', {}),
  ]);
  // Budgets far above the defaults: a fuzzed request should go through every stage, not its fallback.
  const budget = '1000';
  await start('rec-api', {
    ...redis,
    CANDIDATE_GEN_URL: urlOf('candidate-gen'),
    RANKER_URL: urlOf('ranker'),
    RULES_URL: urlOf('rules'),
    FEATURES_DEADLINE_MS: budget,
    CANDIDATES_DEADLINE_MS: budget,
    RANKER_DEADLINE_MS: budget,
    RULES_DEADLINE_MS: budget,
  });
}, 180_000);

afterAll(async () => {
  await services.stopAll();
});

describe('the recommendation APIs under schemathesis', () => {
  for (const service of ['rules', 'candidate-gen', 'ranker', 'feature-store', 'rec-api']) {
    it(`when ${service} is fuzzed from its OpenAPI, then no answer is a 5xx and every answer matches its schema`, async () => {
      const counts = await fuzzService(services.get(service));
      expect(counts.operations.length).toBeGreaterThan(3);
    });
  }
});
