import { Writable } from 'node:stream';
import { WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { warmUpRecommendations } from '../src/warm-up.js';
import { FakeStages, NOW, smallCatalog } from './fakes.js';

let app: ReturnType<typeof buildApp> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function build(stages: FakeStages) {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger({ service: 'rec-api', level: 'info', destination });
  const metrics = createMetrics('rec-api', { defaultMetrics: false });
  const warmUp = new WarmUp({ logger, metrics });
  app = buildApp({
    stages,
    catalog: smallCatalog(),
    deadlines: { features: 10, candidates: 10, ranker: 10, rules: 10 },
    rulesOverfetch: 5,
    logger,
    metrics,
    version: 'test',
    now: () => NOW,
    warmUp,
  });
  warmUpRecommendations(warmUp, app, logger, { users: ['0', '1'], region: 'US', rounds: 2 });
  return { app, warmUp, metrics, lines };
}

describe('warm-up', () => {
  it('when the recommendations have not run yet, then /readyz is 503; after full answers through every stage, 200, none counted', async () => {
    const stages = new FakeStages();
    const { app, warmUp, metrics } = build(stages);

    const before = await app.inject({ url: '/readyz' });
    expect(before.statusCode).toBe(503);
    expect(before.json().checks).toContainEqual(expect.objectContaining({ name: 'warm-up', ok: false }));
    expect(stages.calls).toEqual([]);

    expect(await warmUp.run()).toBe(true);

    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    // Two users, two rounds, four stages each: reads and computations only (the stages have no writes).
    expect(stages.calls.filter((c) => c === 'features')).toHaveLength(4);
    expect(new Set(stages.calls)).toEqual(new Set(['features', 'candidates', 'ranker', 'rules']));
    const text = await metrics.registry.metrics();
    expect(text).not.toMatch(/^rec_api_stage_seconds_count\{/m);
    expect(text).not.toMatch(/^http_request_duration_seconds_count\{[^}]*route="\/v1\/recommendations/m);
  });

  it('when a stage is down during the warm-up, then the service still becomes ready and the log names the stage', async () => {
    const { app, warmUp, metrics, lines } = build(new FakeStages().failing('ranker'));

    expect(await warmUp.run()).toBe(true);

    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const warning = lines.find((l) => String(l.msg).startsWith('warm-up answers fell back'));
    expect(warning?.stages).toMatchObject({ ranker: expect.stringContaining('ranker is down') });
    expect(await metrics.registry.metrics()).not.toMatch(/^rec_api_degraded_total\{/m);
  });
});
