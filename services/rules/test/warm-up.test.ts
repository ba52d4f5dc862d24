import { WarmUp } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { DEFAULT_POLICY } from '../src/domain/policy.js';

let app: ReturnType<typeof buildApp> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('warm-up', () => {
  it('when the rule pipeline has not run yet, then /readyz is 503; once it has, 200, and the warm-up left no change counted', async () => {
    const logger = createLogger({ service: 'rules', level: 'silent' });
    const metrics = createMetrics('rules', { defaultMetrics: false });
    const warmUp = new WarmUp({ logger, metrics });
    app = buildApp({ policy: DEFAULT_POLICY, logger, metrics, version: 'test', warmUp });

    const before = await app.inject({ url: '/readyz' });
    expect(before.statusCode).toBe(503);
    expect(before.json().checks).toContainEqual(expect.objectContaining({ name: 'warm-up', ok: false }));

    expect(await warmUp.run()).toBe(true);

    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const text = await metrics.registry.metrics();
    expect(text).not.toMatch(/^rules_changes_total\{/m);
    expect(text).not.toMatch(/^http_request_duration_seconds_count\{[^}]*route="\/v1\/apply"/m);
  });
});
