import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type ConsoleDeps } from '../src/app.js';
import { bearer, consoleDeps } from './app-deps.js';

let app: ReturnType<typeof buildApp> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function build(overrides: Partial<ConsoleDeps> = {}) {
  const { deps, calls } = consoleDeps(overrides);
  app = buildApp(deps);
  return { app, calls };
}

describe('the console page', () => {
  it('when opened, then both designs are drawn with a box per stage, and the forms and faults are there', async () => {
    const { app } = build();
    const res = await app.inject({ method: 'GET', url: '/' });

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    for (const id of [
      'rec-api',
      'feature-store',
      'candidate-gen',
      'ranker',
      'rules',
      'txn-api',
      'feature-engine',
      'kafka',
      'fraud-scorer',
      'fraud-monitor',
    ])
      expect(res.body).toContain(`data-box="${id}"`);
    expect(res.body).toContain('data-preset="card-testing"');
    expect(res.body).toContain('data-fault="pause-redis"');
    expect(res.body).toContain('<option value="fraud-stream">');
    expect(res.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
  });

  it('when its script and style are asked for, then they are served from the package; anything else is 404', async () => {
    const { app } = build();
    expect((await app.inject({ method: 'GET', url: '/assets/console.js' })).headers['content-type']).toMatch(
      /javascript/,
    );
    expect((await app.inject({ method: 'GET', url: '/assets/console.css' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/assets/load-runs.js' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/assets/..%2Fpackage.json' })).statusCode).toBe(404);
  });
});

describe('actions need the token', () => {
  it.each([
    ['/api/traffic', { recs: 10 }],
    ['/api/fraud/explain', { preset: 'normal' }],
    ['/api/faults', { fault: 'pause-redis', seconds: 2 }],
    ['/api/load', { scenario: 'recs-steady', rate: 10, durationSeconds: 10 }],
    ['/api/load/stop', {}],
  ])(
    'when %s is posted without the token or with a wrong one, then 401 and nothing happens',
    async (url, payload) => {
      const { app, calls } = build();
      const none = await app.inject({ method: 'POST', url, payload });
      const wrong = await app.inject({
        method: 'POST',
        url,
        payload,
        headers: { authorization: 'Bearer nope' },
      });

      expect([none.statusCode, wrong.statusCode]).toEqual([401, 401]);
      expect(none.json().error.code).toBe('unauthorized');
      expect(none.json().error.message).toMatch(/console token \(npm start prints where it is/);
      expect(calls).toEqual([]);
    },
  );

  it('when the token is sent, then traffic, presets, payments and faults go through', async () => {
    const { app, calls } = build();
    const traffic = await app.inject({
      method: 'POST',
      url: '/api/traffic',
      payload: { recs: 10 },
      headers: bearer,
    });
    await app.inject({
      method: 'POST',
      url: '/api/fraud/explain',
      payload: { preset: 'card-testing' },
      headers: bearer,
    });
    const payment = {
      cardId: 'card-1',
      terminalId: 'term-1',
      amount: 10,
      currency: 'EUR',
      channel: 'pos',
      merchantCategory: '5411',
    };
    await app.inject({ method: 'POST', url: '/api/fraud/explain', payload: { payment }, headers: bearer });
    await app.inject({
      method: 'POST',
      url: '/api/faults',
      payload: { fault: 'stop-chargebacks' },
      headers: bearer,
    });

    expect(traffic.statusCode).toBe(200);
    expect(traffic.json().settings.recs).toBe(10);
    expect(calls).toEqual([
      'traffic {"recs":10}',
      'preset card-testing',
      'payment card-1',
      'fault stop-chargebacks',
    ]);
  });

  it('when a read-only visitor looks, then topology, traffic and a recs explain answer without the token', async () => {
    const { app, calls } = build();
    expect((await app.inject({ method: 'GET', url: '/api/topology' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/traffic' })).json().settings.recs).toBe(0);
    const explain = await app.inject({ method: 'GET', url: '/api/recs/explain?userId=7&region=SE&count=5' });
    expect(explain.statusCode).toBe(200);
    expect(calls).toEqual(['explain 7 SE 5']);
  });

  it('when a traffic rate or preset is out of bounds, then 400 names the field', async () => {
    const { app } = build();
    const rate = await app.inject({
      method: 'POST',
      url: '/api/traffic',
      payload: { recs: -1 },
      headers: bearer,
    });
    const preset = await app.inject({
      method: 'POST',
      url: '/api/fraud/explain',
      payload: { preset: 'nope' },
      headers: bearer,
    });
    expect(rate.statusCode).toBe(400);
    expect(rate.json().error.message).toMatch(/recs/);
    expect(preset.statusCode).toBe(400);
  });
});
