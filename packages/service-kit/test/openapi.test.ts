import { ErrorBody } from '@mlsys/contracts';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import Type from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceApp, type ServiceApp } from '../src/index.js';

interface Operation {
  requestBody?: { content: Record<string, { schema: unknown }> };
  parameters?: Array<{ name: string; in: string }>;
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
}

const Item = Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: false });

/** A service as every one is built: routes declared right after the kit's app is created. */
function buildTestApp(): ServiceApp {
  const app = createServiceApp({
    name: 'test-svc',
    version: '1.2.3',
    logger: createLogger({ service: 'test', level: 'silent' }),
    metrics: createMetrics('test-svc', { defaultMetrics: false }),
  });
  app.post('/v1/items', { schema: { body: Item, response: { 201: Item } } }, async (request, reply) =>
    reply.code(201).send(request.body),
  );
  app.get(
    '/v1/items/:id',
    {
      schema: {
        params: Type.Object({ id: Type.String() }),
        response: { 200: Item, 404: ErrorBody },
      },
    },
    async () => ({ name: 'a' }),
  );
  return app;
}

let app: ServiceApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function document(): Promise<Document> {
  app = buildTestApp();
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  return res.json();
}

describe('the OpenAPI document of a service', () => {
  it('when routes are declared after the app is created, then /openapi.json describes each from its schemas', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'test-svc', version: '1.2.3' });
    const post = doc.paths['/v1/items']?.post;
    expect(post?.requestBody?.content['application/json']?.schema).toMatchObject({
      type: 'object',
      required: ['name'],
      additionalProperties: false,
    });
    expect(Object.keys(post?.responses ?? {}).sort()).toEqual(['201', '400', '413', '415']);
    const get = doc.paths['/v1/items/{id}']?.get;
    expect(get?.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path' })]);
    expect(Object.keys(get?.responses ?? {}).sort()).toEqual(['200', '400', '404']);
  });

  it("when the kit answers an error for a route, then the route's document gives that answer's body", async () => {
    const doc = await document();
    const tooLarge = doc.paths['/v1/items']?.post?.responses['413']?.content?.['application/json']?.schema;
    expect(tooLarge).toMatchObject({ type: 'object', required: ['error'] });
  });

  it('when the health and metrics routes are read, then the document gives their answers', async () => {
    const doc = await document();
    expect(Object.keys(doc.paths['/readyz']?.get?.responses ?? {}).sort()).toEqual(['200', '503']);
    expect(doc.paths['/metrics']?.get?.responses['200']?.content).toHaveProperty('text/plain');
    expect(doc.paths['/livez']?.get?.responses).toHaveProperty('200');
  });

  it('when the document is listed, then it leaves out the routes that serve the documentation', async () => {
    const doc = await document();
    expect(
      Object.keys(doc.paths).filter((path) => path.includes('docs') || path.includes('openapi')),
    ).toEqual([]);
  });
});

describe('the /docs page of a service', () => {
  it('when /docs is opened, then the page and every asset it loads come from the service itself', async () => {
    app = buildTestApp();
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain("url: '/openapi.json'");
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(assets.sort()).toEqual(['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css']);
    for (const asset of assets) {
      const res = await app.inject({ method: 'GET', url: asset });
      expect(res.statusCode, asset).toBe(200);
      expect(res.body.length, asset).toBeGreaterThan(100_000);
    }
  });

  it('when any other file is asked of /docs, then 404', async () => {
    app = buildTestApp();
    for (const url of ['/docs/index.html', '/docs/..%2Fpackage.json', '/docs/csp.json']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
  });
});
