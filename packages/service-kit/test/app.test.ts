import { createLogger, createMetrics } from '@mlsys/telemetry';
import Type from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceApp, HttpError, type ServiceApp } from '../src/index.js';

const silent = createLogger({ service: 'test', level: 'silent' });

function buildTestApp(checks: Record<string, () => Promise<string | undefined>> = {}): ServiceApp {
  const app = createServiceApp({
    name: 'test-svc',
    version: '1.2.3',
    logger: silent,
    metrics: createMetrics('test-svc', { defaultMetrics: false }),
    bodyLimitBytes: 1024,
    readiness: { checks, artifacts: () => ({ model: 'm-7' }) },
  });
  app.post(
    '/items',
    {
      schema: {
        body: Type.Object(
          { name: Type.String({ minLength: 1 }), qty: Type.Integer({ minimum: 1, maximum: 10 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => ({ got: request.body.name, qty: request.body.qty }),
  );
  app.get(
    '/items/:id',
    { schema: { params: Type.Object({ id: Type.String({ pattern: '^[a-z]+$' }) }) } },
    async (request) => {
      if (request.params.id === 'missing')
        throw new HttpError(404, 'not_found', 'item missing was not found');
      if (request.params.id === 'boom') throw new Error('secret internals');
      return { id: request.params.id };
    },
  );
  return app;
}

let app: ServiceApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('createServiceApp', () => {
  it('when the body is valid, then the route answers with the typed body', async () => {
    app = buildTestApp();
    const res = await app.inject({ method: 'POST', url: '/items', payload: { name: 'a', qty: 2 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ got: 'a', qty: 2 });
  });

  it('when fields are missing, out of range or unknown, then 400 names each field and its reason', async () => {
    app = buildTestApp();
    const res = await app.inject({ method: 'POST', url: '/items', payload: { qty: 11, extra: true } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.fields).toEqual(
      expect.arrayContaining([
        { field: 'name', reason: 'is required' },
        { field: 'extra', reason: 'is not allowed' },
        { field: 'qty', reason: 'must be <= 10' },
      ]),
    );
  });

  it('when a path parameter is malformed, then 400 names the parameter', async () => {
    app = buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/items/ABC' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^params\.id /);
  });

  it('when the body is not JSON, then 400 says so', async () => {
    app = buildTestApp();
    const res = await app.inject({
      method: 'POST',
      url: '/items',
      payload: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
  });

  it('when the body exceeds the limit, then 413 states the limit', async () => {
    app = buildTestApp();
    const res = await app.inject({
      method: 'POST',
      url: '/items',
      payload: { name: 'x'.repeat(2000), qty: 1 },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toEqual({
      code: 'payload_too_large',
      message: 'request body exceeds the limit of 1024 bytes; send less data',
    });
  });

  it('when a route throws an HttpError, then its status and message reach the caller', async () => {
    app = buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/items/missing' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('item missing was not found');
  });

  it('when a route fails unexpectedly, then 500 hides the internals', async () => {
    app = buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/items/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
  });

  it('when a dependency check fails, then /readyz answers 503 with that check named, while /livez stays 200', async () => {
    app = buildTestApp({
      redis: async () => 'PONG',
      kafka: async () => Promise.reject(new Error('broker unreachable')),
    });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({
      ready: false,
      service: 'test-svc',
      version: '1.2.3',
      checks: [
        { name: 'redis', ok: true, detail: 'PONG' },
        { name: 'kafka', ok: false, detail: 'broker unreachable' },
      ],
      artifacts: { model: 'm-7' },
    });
    expect((await app.inject({ method: 'GET', url: '/livez' })).statusCode).toBe(200);
  });

  it('when requests were served, then /metrics exposes their latency histogram', async () => {
    app = buildTestApp();
    await app.inject({ method: 'GET', url: '/items/abc' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      'http_request_duration_seconds_count{service="test-svc",method="GET",route="/items/:id",status_code="200"} 1',
    );
  });

  it('when an unknown route is called, then 404 uses the common error format', async () => {
    app = buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'no route for GET /nope' } });
  });
});

describe('query strings', () => {
  it('when a numeric query parameter arrives as text, then it is converted by the schema before validation', async () => {
    const app = createServiceApp({
      name: 'q',
      version: '1',
      logger: silent,
      metrics: createMetrics('q', { defaultMetrics: false }),
    });
    app.get(
      '/list',
      {
        schema: {
          querystring: Type.Object({
            count: Type.Integer({ minimum: 1, maximum: 100 }),
            explain: Type.Boolean(),
          }),
        },
      },
      async (request) => ({ count: request.query.count, explain: request.query.explain }),
    );
    const ok = await app.inject({ method: 'GET', url: '/list?count=5&explain=true' });
    expect(ok.json()).toEqual({ count: 5, explain: true });
    const tooMany = await app.inject({ method: 'GET', url: '/list?count=500&explain=false' });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.fields).toEqual([{ field: 'count', reason: 'must be <= 100' }]);
    await app.close();
  });
});
