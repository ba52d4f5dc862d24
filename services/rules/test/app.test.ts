import { createLogger, createMetrics } from '@mlsys/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { DEFAULT_POLICY, policyVersion } from '../src/domain/policy.js';
import { NOW, ranked } from './items.js';

let app: ReturnType<typeof buildApp> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const build = () =>
  buildApp({
    policy: DEFAULT_POLICY,
    logger: createLogger({ service: 'rules', level: 'silent' }),
    metrics: createMetrics('rules', { defaultMetrics: false }),
    version: 'test',
  });

describe('POST /v1/apply', () => {
  it('when items are sent, then the filtered list, the reasons, the policy version and Server-Timing come back', async () => {
    app = build();
    const items = ranked(5, (i) => (i === 0 ? { licensedRegions: ['GB'] } : {}));

    const res = await app.inject({
      method: 'POST',
      url: '/v1/apply',
      payload: { region: 'US', nowMs: NOW, allowExplicit: true, count: 3, items },
    });

    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items.map((i: { songId: number }) => i.songId)).toEqual([1, 2, 3]);
    expect(body.changes[0]).toMatchObject({ songId: 0, rule: 'licensing', action: 'removed' });
    expect(body.policyVersion).toBe(policyVersion(DEFAULT_POLICY));
    expect(res.headers['server-timing']).toMatch(/^rules;dur=\d+\.\d\d$/);
  });

  it('when count is 0 or the region is lower-case, then 400 names both fields', async () => {
    app = build();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/apply',
      payload: { region: 'us', nowMs: NOW, allowExplicit: true, count: 0, items: [] },
    });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .error.fields.map((f: { field: string }) => f.field)
        .sort(),
    ).toEqual(['count', 'region']);
  });

  it('when a release time is past the last instant a Date holds, then 400 names it instead of a 500', async () => {
    app = build();
    const items = ranked(2, (i) => (i === 1 ? { releaseMs: 1.2e308 } : {}));
    const res = await app.inject({
      method: 'POST',
      url: '/v1/apply',
      payload: { region: 'US', nowMs: NOW, allowExplicit: true, count: 2, items },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields).toEqual([
      { field: 'items.1.releaseMs', reason: 'must be <= 8640000000000000' },
    ]);
  });

  it('when asked for readiness, then the policy version is listed', async () => {
    app = build();
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json().artifacts).toEqual({ policy: policyVersion(DEFAULT_POLICY) });
  });
});
