import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';
import type { RankerModel } from '@mlsys/recs-core/ranker-model';
import { WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { testArtifactsDir } from '@mlsys/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRankerModel } from '../src/adapters/onnx-model.js';
import { buildApp } from '../src/app.js';
import { buildCatalog } from '../src/domain/catalog.js';
import { warmUpRanking } from '../src/warm-up.js';

const artifacts = loadRecsArtifacts(testArtifactsDir('recs'));
const NOW = Date.UTC(2026, 2, 1, 18);
let app: ReturnType<typeof buildApp> | undefined;
let model: RankerModel | undefined;
afterEach(async () => {
  await app?.close();
  await model?.close();
  app = undefined;
  model = undefined;
});

describe('warm-up', () => {
  it('when the model has not run yet, then /readyz is 503; after runs at both batch sizes, 200, and none is in the metrics', async () => {
    const logger = createLogger({ service: 'ranker', level: 'silent' });
    const metrics = createMetrics('ranker', { defaultMetrics: false });
    const warmUp = new WarmUp({ logger, metrics });
    model = await loadRankerModel(artifacts);
    const catalog = buildCatalog(
      artifacts.readSongs(),
      artifacts.readGenreHourLift(),
      artifacts.manifest.regions,
    );
    app = buildApp({
      model,
      catalog,
      modelVersion: 'v',
      modelInfo: {},
      logger,
      metrics,
      version: 'test',
      warmUp,
    });
    warmUpRanking(warmUp, app, catalog, [artifacts.manifest.hnsw.candidates, 100], NOW);

    const before = await app.inject({ url: '/readyz' });
    expect(before.statusCode).toBe(503);
    expect(before.json().checks).toContainEqual(expect.objectContaining({ name: 'warm-up', ok: false }));

    expect(await warmUp.run()).toBe(true);

    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^ranker_model_seconds_count\{service="ranker"\} 0$/m);
    expect(text).not.toMatch(/^http_request_duration_seconds_count\{[^}]*route="\/v1\/rank"/m);
  });
});
