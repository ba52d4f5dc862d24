import { candidateQuery, normalizeInPlace, row } from '@mlsys/recs-core';
import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';
import { WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { testArtifactsDir } from '@mlsys/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { HnswCandidateIndex } from '../src/adapters/hnsw-index.js';
import { warmUpQueries } from '../src/adapters/warm-up-queries.js';
import { buildApp, warmUpSearches } from '../src/app.js';

const artifacts = loadRecsArtifacts(testArtifactsDir('recs'));
let app: ReturnType<typeof buildApp> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('warm-up', () => {
  it('when the warm-up queries are read, then they are the first users’ tower queries', () => {
    const { dim, userTower } = artifacts.manifest;
    const embeddings = artifacts.readUserEmbeddings();

    const queries = warmUpQueries(artifacts, 3);

    expect(queries).toHaveLength(3);
    const expected = candidateQuery(
      normalizeInPlace(row(embeddings, dim, 2).slice()),
      userTower!.popularityWeight,
    );
    expect(queries[2]).toEqual(Array.from(expected));
  });

  it('when the index has not been searched yet, then /readyz is 503; after the searches, 200, and none is in the metrics', async () => {
    const logger = createLogger({ service: 'candidate-gen', level: 'silent' });
    const metrics = createMetrics('candidate-gen', { defaultMetrics: false });
    const warmUp = new WarmUp({ logger, metrics });
    app = buildApp({
      index: HnswCandidateIndex.load(artifacts),
      indexVersion: artifacts.manifest.artifactVersion,
      indexParams: {},
      logger,
      metrics,
      version: 'test',
      warmUp,
    });
    warmUpSearches(warmUp, app, warmUpQueries(artifacts, 4), artifacts.manifest.hnsw.candidates);

    const before = await app.inject({ url: '/readyz' });
    expect(before.statusCode).toBe(503);
    expect(before.json().checks).toContainEqual(expect.objectContaining({ name: 'warm-up', ok: false }));

    expect(await warmUp.run()).toBe(true);

    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^candidate_gen_search_seconds_count\{service="candidate-gen"\} 0$/m);
    expect(text).not.toMatch(/^http_request_duration_seconds_count\{[^}]*route="\/v1\/candidates"/m);
  });
});
